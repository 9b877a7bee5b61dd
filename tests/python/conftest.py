import pytest


@pytest.fixture
def default_kernel():
    """Restores the default kernel after a test that switches kernels."""
    import lrelu
    yield
    lrelu.set_kernel(None)
