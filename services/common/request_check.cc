#include "services/common/request_check.h"

#include <cstdint>
#include <string>

#include "absl/strings/str_cat.h"
#include "engine/base/log.h"
#include "google/protobuf/stubs/common.h"
#include "services/common/request_log.h"

namespace tend::services {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

// The range google/protobuf/timestamp.proto and duration.proto define.
constexpr int64_t kMinTimestampSeconds = -62135596800;  // 0001-01-01
constexpr int64_t kMaxTimestampSeconds = 253402300799;  // 9999-12-31
constexpr int64_t kMaxDurationSeconds = 315576000000;   // 10,000 years
constexpr int32_t kNanosPerSecond = 1000000000;

absl::Status Invalid(const std::string& path, absl::string_view rule) {
  return absl::InvalidArgumentError(absl::StrCat(path, ": ", rule));
}

absl::Status CheckTimestamp(const std::string& path, const Message& m) {
  const Descriptor* d = m.GetDescriptor();
  const Reflection* r = m.GetReflection();
  const int64_t seconds = r->GetInt64(m, d->FindFieldByName("seconds"));
  const int32_t nanos = r->GetInt32(m, d->FindFieldByName("nanos"));
  if (seconds < kMinTimestampSeconds || seconds > kMaxTimestampSeconds) {
    return Invalid(path, "must lie in years 1 to 9999");
  }
  if (nanos < 0 || nanos >= kNanosPerSecond) {
    return Invalid(path, "nanos must be from 0 to 999999999");
  }
  return absl::OkStatus();
}

absl::Status CheckDuration(const std::string& path, const Message& m) {
  const Descriptor* d = m.GetDescriptor();
  const Reflection* r = m.GetReflection();
  const int64_t seconds = r->GetInt64(m, d->FindFieldByName("seconds"));
  const int32_t nanos = r->GetInt32(m, d->FindFieldByName("nanos"));
  if (seconds < -kMaxDurationSeconds || seconds > kMaxDurationSeconds) {
    return Invalid(path, "must be within 10000 years");
  }
  if (nanos <= -kNanosPerSecond || nanos >= kNanosPerSecond ||
      (seconds > 0 && nanos < 0) || (seconds < 0 && nanos > 0)) {
    return Invalid(path, "nanos must be under a second, of the seconds' sign");
  }
  return absl::OkStatus();
}

absl::Status CheckString(const std::string& path, const std::string& value) {
  if (value.size() > kMaxRequestStringBytes) {
    return Invalid(path,
                   absl::StrCat("at most ", kMaxRequestStringBytes, " bytes"));
  }
  for (const char c : value) {
    const unsigned char u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\t' && c != '\n' && c != '\r') || u == 0x7f) {
      return Invalid(path, "must not hold control characters");
    }
  }
  return absl::OkStatus();
}

absl::Status CheckEnum(const std::string& path, const FieldDescriptor* field,
                       int value) {
  if (field->enum_type()->FindValueByNumber(value) == nullptr) {
    return Invalid(path, absl::StrCat("unknown value ", value));
  }
  return absl::OkStatus();
}

absl::Status CheckMessage(const std::string& prefix, const Message& m);

// Checks element `index` of a repeated field, or the field itself when
// `index` is -1.
absl::Status CheckValue(const std::string& path, const Message& m,
                        const FieldDescriptor* f, int index) {
  const Reflection* r = m.GetReflection();
  const bool repeated = index >= 0;
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING:
      if (f->type() == FieldDescriptor::TYPE_BYTES) return absl::OkStatus();
      return CheckString(path, repeated ? r->GetRepeatedString(m, f, index)
                                        : r->GetString(m, f));
    case FieldDescriptor::CPPTYPE_ENUM:
      return CheckEnum(path, f,
                       repeated ? r->GetRepeatedEnumValue(m, f, index)
                                : r->GetEnumValue(m, f));
    case FieldDescriptor::CPPTYPE_MESSAGE: {
      const Message& child =
          repeated ? r->GetRepeatedMessage(m, f, index) : r->GetMessage(m, f);
      const std::string& type = f->message_type()->full_name();
      if (type == "google.protobuf.Timestamp")
        return CheckTimestamp(path, child);
      if (type == "google.protobuf.Duration") return CheckDuration(path, child);
      return CheckMessage(path, child);
    }
    default:
      return absl::OkStatus();
  }
}

absl::Status CheckMessage(const std::string& prefix, const Message& m) {
  const Descriptor* d = m.GetDescriptor();
  const Reflection* r = m.GetReflection();
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    const std::string path =
        prefix.empty() ? f->name() : absl::StrCat(prefix, ".", f->name());
    if (f->is_repeated()) {
      for (int j = 0; j < r->FieldSize(m, f); ++j) {
        if (absl::Status s = CheckValue(path, m, f, j); !s.ok()) return s;
      }
    } else if (f->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE ||
               r->HasField(m, f)) {
      if (absl::Status s = CheckValue(path, m, f, -1); !s.ok()) return s;
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckRequest(const google::protobuf::Message& request) {
  const FieldDescriptor* request_id =
      request.GetDescriptor()->FindFieldByName("request_id");
  if (request_id != nullptr &&
      request_id->type() == FieldDescriptor::TYPE_STRING &&
      !request_id->is_repeated()) {
    if (absl::Status s = ValidateRequestId(
            request.GetReflection()->GetString(request, request_id));
        !s.ok()) {
      return s;
    }
  }
  return CheckMessage("", request);
}

namespace {

class UnparseableRequestInterceptor : public grpc::experimental::Interceptor {
 public:
  void Intercept(
      grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            grpc::experimental::InterceptionHookPoints::PRE_SEND_STATUS)) {
      const grpc::Status status = methods->GetSendStatus();
      if (status.error_code() == grpc::StatusCode::INTERNAL &&
          status.error_message().empty()) {
        methods->ModifySendStatus(grpc::Status(
            grpc::StatusCode::INVALID_ARGUMENT,
            "request: does not parse as this method's request (a string "
            "that is not UTF-8, or bytes of another message)"));
      }
    }
    methods->Proceed();
  }
};

class UnparseableRequestFactory
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo*) override {
    return new UnparseableRequestInterceptor();
  }
};

}  // namespace

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
NewUnparseableRequestInterceptor() {
  return std::make_unique<UnparseableRequestFactory>();
}

void RouteProtobufLogs() {
  google::protobuf::SetLogHandler([](google::protobuf::LogLevel level,
                                     const char* filename, int line,
                                     const std::string& message) {
    Log(level == google::protobuf::LOGLEVEL_FATAL ? LogLevel::kError
                                                  : LogLevel::kDebug,
        "protobuf.message",
        {{"file", filename}, {"line", line}, {"message", message}});
  });
}

}  // namespace tend::services
