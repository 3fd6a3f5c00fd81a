#include "tests/security/auth_matrix.h"

#include <grpcpp/generic/generic_stub.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <chrono>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/notification.h"
#include "google/protobuf/dynamic_message.h"
#include "google/protobuf/text_format.h"
#include "tests/support/service_harness.h"

namespace tend::security {
namespace {

std::string Base64Url(const std::string& s) {
  std::string out;
  absl::WebSafeBase64Escape(s, &out);
  return out;
}

// A JWT over `header` and `payload` (JSON), HMAC-signed with `md`, or
// unsigned when `md` is null.
std::string Jwt(const std::string& header, const std::string& payload,
                const EVP_MD* md, const std::string& secret) {
  const std::string signing_input =
      absl::StrCat(Base64Url(header), ".", Base64Url(payload));
  std::string signature;
  if (md != nullptr) {
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int mac_len = 0;
    HMAC(md, secret.data(), static_cast<int>(secret.size()),
         reinterpret_cast<const unsigned char*>(signing_input.data()),
         signing_input.size(), mac, &mac_len);
    signature = Base64Url(std::string(reinterpret_cast<char*>(mac), mac_len));
  }
  return absl::StrCat(signing_input, ".", signature);
}

std::string Claims(const std::string& sub, absl::Time expire) {
  return absl::StrCat(R"({"sub":")", sub, R"(","exp":)",
                      absl::ToUnixSeconds(expire), "}");
}

}  // namespace

std::vector<BadToken> BadTokens(const std::string& user_secret,
                                const std::string& sub, absl::Time now) {
  const std::string valid_claims = Claims(sub, now + absl::Hours(1));
  const std::string hs256 = R"({"alg":"HS256","typ":"JWT"})";
  auto bearer = [](const std::string& jwt) {
    return absl::StrCat("Bearer ", jwt);
  };
  return {
      {"no token", ""},
      {"not bearer", "Basic YWxpY2U6cHc="},
      {"empty bearer", "Bearer "},
      {"garbage", "Bearer not.a.jwt"},
      {"bad signature",
       bearer(Jwt(hs256, valid_claims, EVP_sha256(), "wrong-secret"))},
      {"expired", bearer(Jwt(hs256, Claims(sub, now - absl::Seconds(1)),
                             EVP_sha256(), user_secret))},
      {"no exp", bearer(Jwt(hs256, absl::StrCat(R"({"sub":")", sub, R"("})"),
                            EVP_sha256(), user_secret))},
      {"alg none",
       bearer(Jwt(R"({"alg":"none","typ":"JWT"})", valid_claims, nullptr, ""))},
      {"alg none, signature kept",
       absl::StrCat(bearer(Jwt(R"({"alg":"none","typ":"JWT"})", valid_claims,
                               nullptr, "")),
                    Base64Url("x"))},
      {"HS512 with the right secret",
       bearer(Jwt(R"({"alg":"HS512","typ":"JWT"})", valid_claims, EVP_sha512(),
                  user_secret))},
      {"RS256 header over an HS256 signature",
       bearer(Jwt(R"({"alg":"RS256","typ":"JWT"})", valid_claims, EVP_sha256(),
                  user_secret))},
      {"user secret claiming a service",
       bearer(Jwt(hs256, Claims("service:scheduler", now + absl::Hours(1)),
                  EVP_sha256(), user_secret))},
  };
}

RsaKeyPair NewRsaKeyPair() {
  RsaKeyPair pair;
  EVP_PKEY* key = EVP_RSA_gen(2048);
  if (key == nullptr) return pair;
  auto to_string = [](BIO* bio) {
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio, &data);
    std::string out(data, static_cast<size_t>(size));
    BIO_free(bio);
    return out;
  };
  BIO* priv = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(priv, key, nullptr, nullptr, 0, nullptr, nullptr);
  pair.private_pem = to_string(priv);
  BIO* pub = BIO_new(BIO_s_mem());
  PEM_write_bio_PUBKEY(pub, key);
  pair.public_pem = to_string(pub);
  EVP_PKEY_free(key);
  return pair;
}

namespace {

// An RS256 JWT over `payload`, signed with `private_pem`.
std::string Rs256Jwt(const std::string& private_pem,
                     const std::string& payload) {
  const std::string signing_input = absl::StrCat(
      Base64Url(R"({"alg":"RS256","typ":"JWT"})"), ".", Base64Url(payload));
  BIO* bio =
      BIO_new_mem_buf(private_pem.data(), static_cast<int>(private_pem.size()));
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  std::string signature;
  if (key != nullptr) {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    size_t size = 0;
    if (EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, key) == 1 &&
        EVP_DigestSign(
            ctx, nullptr, &size,
            reinterpret_cast<const unsigned char*>(signing_input.data()),
            signing_input.size()) == 1) {
      signature.resize(size);
      EVP_DigestSign(
          ctx, reinterpret_cast<unsigned char*>(signature.data()), &size,
          reinterpret_cast<const unsigned char*>(signing_input.data()),
          signing_input.size());
      signature.resize(size);
    }
    EVP_MD_CTX_free(ctx);
    EVP_PKEY_free(key);
  }
  return absl::StrCat(signing_input, ".", Base64Url(signature));
}

}  // namespace

std::string Rs256Bearer(const std::string& private_pem, const std::string& sub,
                        absl::Time expire) {
  return absl::StrCat("Bearer ", Rs256Jwt(private_pem, Claims(sub, expire)));
}

std::vector<BadToken> KeyConfusionTokens(const std::string& public_pem,
                                         const std::string& sub,
                                         absl::Time now) {
  const std::string claims = Claims(sub, now + absl::Hours(1));
  const std::string hs256 = R"({"alg":"HS256","typ":"JWT"})";
  std::string body = public_pem;
  absl::StrReplaceAll({{"-----BEGIN PUBLIC KEY-----", ""},
                       {"-----END PUBLIC KEY-----", ""},
                       {"\n", ""}},
                      &body);
  std::string der;
  absl::Base64Unescape(body, &der);
  const RsaKeyPair stranger = NewRsaKeyPair();
  return {
      {"HS256 keyed with the RS256 public key PEM",
       absl::StrCat("Bearer ", Jwt(hs256, claims, EVP_sha256(), public_pem))},
      {"HS256 keyed with the RS256 public key DER",
       absl::StrCat("Bearer ", Jwt(hs256, claims, EVP_sha256(), der))},
      {"RS256 signed by another key",
       absl::StrCat("Bearer ", Rs256Jwt(stranger.private_pem, claims))},
      {"alg none", absl::StrCat("Bearer ", Jwt(R"({"alg":"none","typ":"JWT"})",
                                               claims, nullptr, ""))},
  };
}

std::string Bearer(const std::string& secret, const std::string& sub,
                   absl::Time expire) {
  return testing::ServiceHarness::Bearer(secret, sub, expire);
}

const google::protobuf::ServiceDescriptor* FindService(
    const std::string& full_name) {
  return google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
      full_name);
}

std::vector<const google::protobuf::MethodDescriptor*> Methods(
    const google::protobuf::ServiceDescriptor* service) {
  std::vector<const google::protobuf::MethodDescriptor*> methods;
  for (int i = 0; i < service->method_count(); ++i) {
    methods.push_back(service->method(i));
  }
  return methods;
}

namespace {

// Opens a server stream and waits for its first message or its end.
grpc::Status CallStreaming(const std::shared_ptr<grpc::Channel>& channel,
                           grpc::ClientContext* context,
                           const std::string& full_method,
                           const std::string& request_bytes) {
  grpc::GenericStub stub(channel);
  grpc::CompletionQueue cq;
  std::unique_ptr<grpc::GenericClientAsyncReaderWriter> call =
      stub.PrepareCall(context, full_method, &cq);
  void* tag = nullptr;
  bool ok = false;
  // Tags: 1 start, 2 write, 3 writes done, 4 read, 5 finish.
  auto step = [&](intptr_t want) {
    while (cq.Next(&tag, &ok)) {
      if (reinterpret_cast<intptr_t>(tag) == want) return ok;
    }
    return false;
  };
  call->StartCall(reinterpret_cast<void*>(1));
  grpc::Slice slice(request_bytes);
  grpc::ByteBuffer request(&slice, 1);
  grpc::ByteBuffer response;
  grpc::Status status;
  if (step(1)) {
    call->Write(request, reinterpret_cast<void*>(2));
    if (step(2)) {
      call->WritesDone(reinterpret_cast<void*>(3));
      step(3);
    }
    call->Read(&response, reinterpret_cast<void*>(4));
    const bool got_message = step(4);
    if (got_message) context->TryCancel();
  }
  call->Finish(&status, reinterpret_cast<void*>(5));
  step(5);
  cq.Shutdown();
  while (cq.Next(&tag, &ok)) {
  }
  // A stream still open at the deadline, or cancelled by us after its first
  // message, was accepted.
  if (status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED ||
      status.error_code() == grpc::StatusCode::CANCELLED) {
    return grpc::Status::OK;
  }
  return status;
}

}  // namespace

CallResult CallMethod(const std::shared_ptr<grpc::Channel>& channel,
                      const google::protobuf::MethodDescriptor* method,
                      const std::string& authorization,
                      const std::string& request_bytes,
                      absl::Duration deadline) {
  grpc::ClientContext context;
  if (!authorization.empty()) {
    context.AddMetadata("authorization", authorization);
  }
  context.set_deadline(std::chrono::system_clock::now() +
                       absl::ToChronoMilliseconds(deadline));
  const std::string full_method =
      absl::StrCat("/", method->service()->full_name(), "/", method->name());
  CallResult result;
  if (method->server_streaming()) {
    result.status =
        CallStreaming(channel, &context, full_method, request_bytes);
  } else {
    result.status = testing::CallGeneric(channel, &context, full_method,
                                         request_bytes, &result.response);
  }
  return result;
}

absl::StatusOr<std::string> RequestFromText(
    const google::protobuf::MethodDescriptor* method, const std::string& text,
    const std::map<std::string, std::string>& vars) {
  std::string expanded;
  absl::string_view rest = text;
  while (true) {
    const size_t open = rest.find("${");
    if (open == absl::string_view::npos) break;
    const size_t close = rest.find('}', open);
    if (close == absl::string_view::npos) {
      return absl::InvalidArgumentError(absl::StrCat("unclosed ${ in ", text));
    }
    const std::string key(rest.substr(open + 2, close - open - 2));
    auto it = vars.find(key);
    if (it == vars.end()) {
      return absl::NotFoundError(absl::StrCat("no value for ${", key, "}"));
    }
    absl::StrAppend(&expanded, rest.substr(0, open), it->second);
    rest.remove_prefix(close + 1);
  }
  absl::StrAppend(&expanded, rest);
  std::unique_ptr<google::protobuf::Message> request(
      google::protobuf::MessageFactory::generated_factory()
          ->GetPrototype(method->input_type())
          ->New());
  if (!google::protobuf::TextFormat::ParseFromString(expanded, request.get())) {
    return absl::InvalidArgumentError(
        absl::StrCat(method->name(), ": cannot parse ", expanded));
  }
  return request->SerializeAsString();
}

std::string CodeName(grpc::StatusCode code) {
  static const char* const kNames[] = {"OK",
                                       "CANCELLED",
                                       "UNKNOWN",
                                       "INVALID_ARGUMENT",
                                       "DEADLINE_EXCEEDED",
                                       "NOT_FOUND",
                                       "ALREADY_EXISTS",
                                       "PERMISSION_DENIED",
                                       "RESOURCE_EXHAUSTED",
                                       "FAILED_PRECONDITION",
                                       "ABORTED",
                                       "OUT_OF_RANGE",
                                       "UNIMPLEMENTED",
                                       "INTERNAL",
                                       "UNAVAILABLE",
                                       "DATA_LOSS",
                                       "UNAUTHENTICATED"};
  const int i = static_cast<int>(code);
  return i >= 0 && i <= 16 ? kNames[i] : absl::StrCat("code ", i);
}

}  // namespace tend::security
