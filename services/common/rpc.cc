#include "services/common/rpc.h"

#include <string>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/strip.h"
#include "engine/base/metrics.h"

namespace tend::services {
namespace {

struct RpcMetrics {
  prometheus::Family<prometheus::Counter>& requests;
  prometheus::Family<prometheus::Histogram>& latency;
};

RpcMetrics& Metrics() {
  static RpcMetrics* const metrics = new RpcMetrics{
      prometheus::BuildCounter()
          .Name("tend_rpc_requests_total")
          .Help("Finished RPCs by service, method and status code.")
          .Register(*MetricsRegistry()),
      prometheus::BuildHistogram()
          .Name("tend_rpc_latency_seconds")
          .Help("RPC latency by service and method.")
          .Register(*MetricsRegistry())};
  return *metrics;
}

}  // namespace

void RecordRpc(const google::protobuf::Descriptor* request,
               const absl::Status& status, absl::Duration latency) {
  // "tend.pairing.v1" / "CreateInviteRequest" → "pairing" / "CreateInvite".
  absl::string_view service = request->file()->package();
  absl::ConsumePrefix(&service, "tend.");
  service = service.substr(0, service.find('.'));
  absl::string_view method = request->name();
  absl::ConsumeSuffix(&method, "Request");
  const std::string code = absl::StatusCodeToString(status.code());
  Metrics()
      .requests
      .Add({{"service", std::string(service)},
            {"method", std::string(method)},
            {"code", code}})
      .Increment();
  Metrics()
      .latency
      .Add({{"service", std::string(service)}, {"method", std::string(method)}},
           LatencyBuckets())
      .Observe(absl::ToDoubleSeconds(latency));
  if (status.ok()) return;
  const bool server_fault = status.code() == absl::StatusCode::kInternal ||
                            status.code() == absl::StatusCode::kUnavailable ||
                            status.code() == absl::StatusCode::kUnknown;
  Log(server_fault ? LogLevel::kWarning : LogLevel::kDebug, "rpc.failed",
      {{"request", std::string(request->name())}, {"code", code}});
}

}  // namespace tend::services
