// HttpClient: the one HTTP client of push delivery, a pool of libcurl
// easy handles.
//
// FCM, APNs, the OAuth2 token endpoint and webhooks all go through it. A
// handle goes back to the pool after each request with its connections
// still open, so a busy replica reuses TLS sessions and HTTP/2 connections
// instead of dialling once per reminder. Over https, HTTP/2 is negotiated
// by ALPN (falling back to HTTP/1.1 where the server has no h2); over plain
// http, HttpVersion::kHttp2PriorKnowledge speaks h2c (tests), anything else
// HTTP/1.1.
//
//   HttpClient http(HttpClientOptions{});
//   HttpRequest request;
//   request.url = "https://fcm.googleapis.com/v1/projects/p/messages:send";
//   request.headers = {{"content-type", "application/json"}};
//   request.body = payload;
//   absl::StatusOr<HttpResponse> response = http.Send(request);
//
// Failure model: any HTTP status is a response for the caller to judge. A
// transport failure is a Status: DEADLINE_EXCEEDED when the request timed
// out, UNAVAILABLE otherwise (refused, reset, TLS). The message names the
// host, never the path or query, which may carry a device token.
#ifndef TEND_SERVICES_SCHEDULER_PUSH_HTTP_CLIENT_H_
#define TEND_SERVICES_SCHEDULER_PUSH_HTTP_CLIENT_H_

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace tend::scheduler::push {

// HttpVersion
//
// What to speak to the server.
enum class HttpVersion {
  // h2 over TLS when ALPN offers it, else HTTP/1.1; HTTP/1.1 over http.
  kNegotiate,
  // h2 without negotiation on http:// (h2c); over https, as kNegotiate.
  kHttp2PriorKnowledge,
};

// HttpRequest
//
// One request. Header names are sent as given.
struct HttpRequest {
  std::string method = "POST";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  HttpVersion version = HttpVersion::kNegotiate;
  // The whole exchange, connecting included, gives up after this long.
  absl::Duration timeout = absl::Seconds(10);
};

// HttpResponse
//
// What came back. Header names are lower case; a repeated header keeps its
// last value.
struct HttpResponse {
  int status = 0;
  absl::flat_hash_map<std::string, std::string> headers;
  std::string body;
  // 1 for HTTP/1.x, 2 for HTTP/2.
  int http_major = 1;
  // How long the exchange took, as curl measured it.
  absl::Duration latency;

  // Header()
  //
  // The value of `name` (lower case), or empty.
  std::string Header(absl::string_view name) const;
};

// HttpClientOptions
//
// Trust and patience shared by every request.
struct HttpClientOptions {
  // PEM bundle of the CAs to trust; the system's when empty. For a private
  // gateway, or the self-signed servers of tests.
  std::string ca_file;
  // Dialling (TCP and TLS) gives up after this long.
  absl::Duration connect_timeout = absl::Seconds(5);
  // Larger response bodies are cut off and fail the request.
  size_t max_response_bytes = 64 * 1024;
  // Handles kept for reuse; more may exist while many threads send.
  int pool_size = 8;
};

// HttpClient
//
// Thread-safe.
class HttpClient {
 public:
  explicit HttpClient(HttpClientOptions options);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Send()
  //
  // Makes one request and waits for its answer (see the failure model).
  absl::StatusOr<HttpResponse> Send(const HttpRequest& request);

 private:
  struct Handle;
  struct HandleDeleter {
    void operator()(Handle* handle) const;
  };
  using HandlePtr = std::unique_ptr<Handle, HandleDeleter>;

  HandlePtr Acquire();
  void Release(HandlePtr handle);

  const HttpClientOptions options_;
  absl::Mutex mu_;
  std::vector<HandlePtr> idle_ ABSL_GUARDED_BY(mu_);
};

// HostOf()
//
// "https://host:443/path?q" → "host:443", for messages that must not quote
// a path or query.
std::string HostOf(absl::string_view url);

}  // namespace tend::scheduler::push

#endif  // TEND_SERVICES_SCHEDULER_PUSH_HTTP_CLIENT_H_
