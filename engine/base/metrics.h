// Metrics: one Prometheus registry per process (prometheus-cpp).
//
// Libraries register their metric families on the shared registry; the
// service runtime serves it on --metrics_listen in the Prometheus text
// format. Family names start with "tend_".
//
//   static auto& family = prometheus::BuildCounter()
//                             .Name("tend_dead_letters_total")
//                             .Help("Reminders moved to the dead letter.")
//                             .Register(*tend::MetricsRegistry());
//   family.Add({}).Increment();
#ifndef TEND_ENGINE_BASE_METRICS_H_
#define TEND_ENGINE_BASE_METRICS_H_

#include <memory>

#include "prometheus/counter.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"

namespace tend {

// MetricsRegistry()
//
// The process-wide registry, never destroyed.
std::shared_ptr<prometheus::Registry> MetricsRegistry();

// LatencyBuckets()
//
// Histogram boundaries in seconds, from 0.5 ms to 10 s, for RPC, Redis
// and dispatch latencies alike, so dashboards compare like with like.
prometheus::Histogram::BucketBoundaries LatencyBuckets();

}  // namespace tend

#endif  // TEND_ENGINE_BASE_METRICS_H_
