// Peak fp32 FMA throughput (run by scripts/bench.mjs): each thread runs independent AVX-512 FMA chains (enough of them to
// cover the FMA latency), so the figure is what the cores can do, not what any program reaches.
#include <immintrin.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define CHAINS 12
static long iters = 200000000L;
static float sink[64];
static double cpu_seconds[64];

static void *work(void *arg) {
  long id = (long)arg;
  struct timespec c0, c1;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c0);
  __m512 acc[CHAINS];
  for (int i = 0; i < CHAINS; i++) acc[i] = _mm512_set1_ps((float)i * 1e-3f);
  const __m512 a = _mm512_set1_ps(0.999999f), b = _mm512_set1_ps(1e-7f);
  for (long n = 0; n < iters; n++)
    for (int i = 0; i < CHAINS; i++) acc[i] = _mm512_fmadd_ps(acc[i], a, b);
  __m512 s = acc[0];
  for (int i = 1; i < CHAINS; i++) s = _mm512_add_ps(s, acc[i]);
  sink[id] = _mm512_reduce_add_ps(s);
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c1);
  cpu_seconds[id] = (c1.tv_sec - c0.tv_sec) + (c1.tv_nsec - c0.tv_nsec) * 1e-9;
  return NULL;
}

int main(int argc, char **argv) {
  int threads = argc > 1 ? atoi(argv[1]) : 1;
  if (argc > 2) iters = atol(argv[2]);
  pthread_t t[64];
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (long i = 0; i < threads; i++) pthread_create(&t[i], NULL, work, (void *)i);
  for (int i = 0; i < threads; i++) pthread_join(t[i], NULL);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double s = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) * 1e-9;
  // wall-clock rate, and the rate per thread-second of CPU actually received (a loaded machine
  // steals wall time, not FMA throughput): the second times the thread count is the peak
  double per_thread = (double)iters * CHAINS * 16 * 2;
  double on_cpu = 0;
  for (int i = 0; i < threads; i++) on_cpu += per_thread / cpu_seconds[i] / 1e9;
  printf("{\"wallGflops\": %.1f, \"cpuTimeGflops\": %.1f}\n", per_thread * threads / s / 1e9, on_cpu);
  return sink[0] == 12345.0f;
}
