#include "engine/base/metrics.h"

namespace tend {

std::shared_ptr<prometheus::Registry> MetricsRegistry() {
  static auto* const registry =
      new std::shared_ptr<prometheus::Registry>(
          std::make_shared<prometheus::Registry>());
  return *registry;
}

prometheus::Histogram::BucketBoundaries LatencyBuckets() {
  return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
          0.1,    0.25,  0.5,    1,     2.5,   5,     10};
}

}  // namespace tend
