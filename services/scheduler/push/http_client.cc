#include "services/scheduler/push/http_client.h"

#include <curl/curl.h>

#include <mutex>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace tend::scheduler::push {
namespace {

// curl_global_init is not thread-safe; every client shares one call.
void InitCurlOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using Slist = std::unique_ptr<curl_slist, SlistDeleter>;

// What the callbacks of one exchange fill in.
struct Exchange {
  HttpResponse response;
  size_t max_bytes = 0;
  bool too_large = false;
};

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto* exchange = static_cast<Exchange*>(user);
  const size_t n = size * count;
  if (exchange->response.body.size() + n > exchange->max_bytes) {
    exchange->too_large = true;
    return 0;  // curl stops with CURLE_WRITE_ERROR
  }
  exchange->response.body.append(data, n);
  return n;
}

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* exchange = static_cast<Exchange*>(user);
  const size_t n = size * count;
  absl::string_view line(data, n);
  if (absl::StartsWith(line, "HTTP/")) {
    // A new response (after a 100 Continue, say) replaces the last one's.
    exchange->response.headers.clear();
    return n;
  }
  const size_t colon = line.find(':');
  if (colon == absl::string_view::npos) return n;
  std::string name =
      absl::AsciiStrToLower(absl::StripAsciiWhitespace(line.substr(0, colon)));
  exchange->response.headers[name] =
      std::string(absl::StripAsciiWhitespace(line.substr(colon + 1)));
  return n;
}

}  // namespace

struct HttpClient::Handle {
  CURL* curl = nullptr;
  char error[CURL_ERROR_SIZE] = {0};
};

void HttpClient::HandleDeleter::operator()(Handle* handle) const {
  if (handle->curl != nullptr) curl_easy_cleanup(handle->curl);
  delete handle;
}

std::string HttpResponse::Header(absl::string_view name) const {
  auto it = headers.find(name);
  return it == headers.end() ? std::string() : it->second;
}

HttpClient::HttpClient(HttpClientOptions options)
    : options_(std::move(options)) {
  InitCurlOnce();
}

HttpClient::~HttpClient() = default;

HttpClient::HandlePtr HttpClient::Acquire() {
  {
    absl::MutexLock lock(&mu_);
    if (!idle_.empty()) {
      HandlePtr handle = std::move(idle_.back());
      idle_.pop_back();
      return handle;
    }
  }
  HandlePtr handle(new Handle);
  handle->curl = curl_easy_init();
  return handle;
}

void HttpClient::Release(HandlePtr handle) {
  absl::MutexLock lock(&mu_);
  if (static_cast<int>(idle_.size()) < options_.pool_size) {
    idle_.push_back(std::move(handle));
  }
}

absl::StatusOr<HttpResponse> HttpClient::Send(const HttpRequest& request) {
  HandlePtr handle = Acquire();
  if (handle->curl == nullptr) {
    return absl::ResourceExhaustedError("http: curl_easy_init failed");
  }
  CURL* curl = handle->curl;
  // Options go; connections and TLS sessions stay for the next request.
  curl_easy_reset(curl);
  Exchange exchange;
  exchange.max_bytes = options_.max_response_bytes;

  Slist headers;
  for (const auto& [name, value] : request.headers) {
    const std::string line = absl::StrCat(name, ": ", value);
    curl_slist* grown = curl_slist_append(headers.get(), line.c_str());
    if (grown == nullptr) {
      return absl::ResourceExhaustedError("http: out of memory for headers");
    }
    (void)headers.release();
    headers.reset(grown);
  }
  // Without this, curl sends "Expect: 100-continue" for larger bodies and
  // waits a second for an answer some servers never give.
  curl_slist* grown = curl_slist_append(headers.get(), "Expect:");
  if (grown != nullptr) {
    (void)headers.release();
    headers.reset(grown);
  }

  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, handle->error);
  handle->error[0] = '\0';
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  if (request.method != "GET") {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(request.body.size()));
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(curl, CURLOPT_HTTP_VERSION,
                   request.version == HttpVersion::kHttp2PriorKnowledge
                       ? CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE
                       : CURL_HTTP_VERSION_2TLS);
  curl_easy_setopt(
      curl, CURLOPT_TIMEOUT_MS,
      static_cast<long>(absl::ToInt64Milliseconds(request.timeout)));
  curl_easy_setopt(
      curl, CURLOPT_CONNECTTIMEOUT_MS,
      static_cast<long>(absl::ToInt64Milliseconds(options_.connect_timeout)));
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  if (!options_.ca_file.empty()) {
    curl_easy_setopt(curl, CURLOPT_CAINFO, options_.ca_file.c_str());
  }
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &OnBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &exchange);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, &OnHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &exchange);

  const CURLcode code = curl_easy_perform(curl);
  // The list must outlive the transfer, and the handle must not keep a
  // pointer to it.
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, nullptr);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  long version = 0;
  curl_easy_getinfo(curl, CURLINFO_HTTP_VERSION, &version);
  curl_off_t micros = 0;
  curl_easy_getinfo(curl, CURLINFO_TOTAL_TIME_T, &micros);
  const std::string detail =
      handle->error[0] != '\0' ? handle->error : curl_easy_strerror(code);
  Release(std::move(handle));

  if (exchange.too_large) {
    return absl::UnavailableError(
        absl::StrCat("http: ", HostOf(request.url), " answered more than ",
                     options_.max_response_bytes, " bytes"));
  }
  if (code == CURLE_OPERATION_TIMEDOUT) {
    return absl::DeadlineExceededError(
        absl::StrCat("http: ", HostOf(request.url), " timed out after ",
                     absl::FormatDuration(request.timeout)));
  }
  if (code != CURLE_OK) {
    // curl's own message names the host at most; it never quotes the path.
    return absl::UnavailableError(
        absl::StrCat("http: ", HostOf(request.url), ": ", detail));
  }
  exchange.response.status = static_cast<int>(status);
  exchange.response.http_major = version == CURL_HTTP_VERSION_2_0 ? 2 : 1;
  exchange.response.latency = absl::Microseconds(micros);
  return std::move(exchange.response);
}

std::string HostOf(absl::string_view url) {
  absl::string_view rest = url;
  const size_t scheme = rest.find("://");
  if (scheme != absl::string_view::npos) rest.remove_prefix(scheme + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  const size_t at = rest.rfind('@');  // user:password@ never leaves either
  if (at != absl::string_view::npos) rest.remove_prefix(at + 1);
  return std::string(rest);
}

}  // namespace tend::scheduler::push
