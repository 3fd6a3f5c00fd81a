#include "services/scheduler/scheduler_metrics.h"

#include "absl/strings/str_cat.h"
#include "engine/base/metrics.h"

namespace tend::scheduler {
namespace {

struct Metrics {
  prometheus::Family<prometheus::Gauge>& depth = prometheus::BuildGauge()
      .Name("tend_queue_depth")
      .Help("Reminders waiting in each shard of the due queue.")
      .Register(*MetricsRegistry());
  prometheus::Gauge& due_unclaimed = prometheus::BuildGauge()
      .Name("tend_queue_due_unclaimed")
      .Help("Reminders due now that no worker has claimed yet.")
      .Register(*MetricsRegistry())
      .Add({});
  prometheus::Gauge& oldest_overdue = prometheus::BuildGauge()
      .Name("tend_queue_oldest_overdue_seconds")
      .Help("Age of the oldest due reminder nobody has claimed.")
      .Register(*MetricsRegistry())
      .Add({});
  prometheus::Histogram& lateness = prometheus::BuildHistogram()
      .Name("tend_dispatch_lateness_seconds")
      .Help("Delivery time minus due time.")
      .Register(*MetricsRegistry())
      .Add({}, LatencyBuckets());
  prometheus::Family<prometheus::Counter>& deliveries =
      prometheus::BuildCounter()
          .Name("tend_deliveries_total")
          .Help("Delivery attempts by provider and outcome.")
          .Register(*MetricsRegistry());
  prometheus::Counter& retries = prometheus::BuildCounter()
      .Name("tend_delivery_retries_total")
      .Help("Failed attempts sent back to wait for a retry.")
      .Register(*MetricsRegistry())
      .Add({});
  prometheus::Counter& dead_letters = prometheus::BuildCounter()
      .Name("tend_dead_letters_total")
      .Help("Reminders that ran out of attempts.")
      .Register(*MetricsRegistry())
      .Add({});
  prometheus::Counter& lease_recoveries = prometheus::BuildCounter()
      .Name("tend_lease_recoveries_total")
      .Help("Items taken back from workers whose lease expired.")
      .Register(*MetricsRegistry())
      .Add({});
};

Metrics& Get() {
  static Metrics* const metrics = new Metrics();
  return *metrics;
}

}  // namespace

void RecordLateness(absl::Duration lateness) {
  Get().lateness.Observe(
      absl::ToDoubleSeconds(std::max(lateness, absl::ZeroDuration())));
}

void RecordDelivery(absl::string_view provider, absl::string_view outcome) {
  Get()
      .deliveries
      .Add({{"provider", std::string(provider)},
            {"outcome", std::string(outcome)}})
      .Increment();
}

void RecordRetry() { Get().retries.Increment(); }
void RecordDeadLetter() { Get().dead_letters.Increment(); }

void RecordLeaseRecoveries(int count) {
  if (count > 0) Get().lease_recoveries.Increment(count);
}

QueueSampler::QueueSampler(engine::DueQueue* queue, absl::Duration interval)
    : queue_(queue) {
  Get();  // every family is registered before the first scrape
  thread_ = std::thread([this, interval] {
    do {
      SampleOnce();
    } while (!stop_.WaitForNotificationWithTimeout(interval));
  });
}

QueueSampler::~QueueSampler() {
  stop_.Notify();
  thread_.join();
}

void QueueSampler::SampleOnce() {
  // Redis TIME decides what is due, so the sample passes no clock.
  absl::StatusOr<std::vector<engine::ShardStats>> stats =
      queue_->Stats(std::nullopt);
  if (!stats.ok()) return;
  int64_t due = 0;
  absl::Duration oldest;
  for (const engine::ShardStats& s : *stats) {
    Get().depth.Add({{"shard", absl::StrCat(s.shard)}}).Set(
        static_cast<double>(s.scheduled + s.leased));
    due += s.due_unclaimed;
    oldest = std::max(oldest, s.oldest_overdue);
  }
  Get().due_unclaimed.Set(static_cast<double>(due));
  Get().oldest_overdue.Set(absl::ToDoubleSeconds(oldest));
}

}  // namespace tend::scheduler
