/* Limit loops, compiled once per ISA with LIMIT_ISA naming the suffix. */
#include "limit_loops.h"

#include <string.h>

#if defined(__SSE2__)
#include <immintrin.h>
#endif

#define CAT_(a, b)     a##_##b
#define CAT(a, b)      CAT_(a, b)
#define LIMIT_NAME(fn) CAT(fn, LIMIT_ISA)

/* dst[i] = src[i] with streaming stores: the head is copied until dst is
 * 64-byte aligned, then whole cache lines bypass the cache. */
void LIMIT_NAME(limit_nt_copy)(const float *src, float *dst, size_t n)
{
    size_t i = 0;
#if defined(__SSE2__)
    for (; i < n && ((size_t)(dst + i) & 63) != 0; i++)
        dst[i] = src[i];
    for (; i + 16 <= n; i += 16) {
#if defined(__AVX512F__)
        _mm512_stream_ps(dst + i, _mm512_loadu_ps(src + i));
#elif defined(__AVX__)
        _mm256_stream_ps(dst + i, _mm256_loadu_ps(src + i));
        _mm256_stream_ps(dst + i + 8, _mm256_loadu_ps(src + i + 8));
#else
        for (size_t k = 0; k < 16; k += 4)
            _mm_stream_ps(dst + i + k, _mm_loadu_ps(src + i + k));
#endif
    }
    _mm_sfence();
#endif
    memcpy(dst + i, src + i, (n - i) * sizeof *dst);
}

/* dst[i] = src[i] with the ISA's widest vector loads and plain stores, four
 * vectors a step: the ceiling of any loop that loads, computes and stores
 * through the cache (a forward kernel's shape), where memcpy may take an
 * instruction that no computing loop can (rep movsb). */
void LIMIT_NAME(limit_copy)(const float *src, float *dst, size_t n)
{
    size_t i = 0;
#if defined(__AVX512F__)
    for (; i + 64 <= n; i += 64)
        for (size_t k = 0; k < 64; k += 16)
            _mm512_storeu_ps(dst + i + k, _mm512_loadu_ps(src + i + k));
#elif defined(__AVX__)
    for (; i + 32 <= n; i += 32)
        for (size_t k = 0; k < 32; k += 8)
            _mm256_storeu_ps(dst + i + k, _mm256_loadu_ps(src + i + k));
#elif defined(__SSE2__)
    for (; i + 16 <= n; i += 16)
        for (size_t k = 0; k < 16; k += 4)
            _mm_storeu_ps(dst + i + k, _mm_loadu_ps(src + i + k));
#endif
    memcpy(dst + i, src + i, (n - i) * sizeof *dst);
}

/* out[i] = a[i] + b[i]: two streams in, one out, vectorised by the compiler. */
void LIMIT_NAME(limit_add2)(const float *a, const float *b, float *out, size_t n)
{
    for (size_t i = 0; i < n; i++)
        out[i] = a[i] + b[i];
}
