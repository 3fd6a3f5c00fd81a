#include "services/common/auth.h"

#include <jwt.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace tend::services {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1'800'000'000);

struct KeyPair {
  std::string private_pem;
  std::string public_pem;
};

KeyPair NewRsaKeyPair() {
  EVP_PKEY* key = EVP_RSA_gen(2048);
  BIO* priv = BIO_new(BIO_s_mem());
  BIO* pub = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(priv, key, nullptr, nullptr, 0, nullptr, nullptr);
  PEM_write_bio_PUBKEY(pub, key);
  auto read = [](BIO* bio) {
    char* data = nullptr;
    long n = BIO_get_mem_data(bio, &data);
    return std::string(data, n);
  };
  KeyPair pair{read(priv), read(pub)};
  BIO_free(priv);
  BIO_free(pub);
  EVP_PKEY_free(key);
  return pair;
}

// Signs claims {sub, exp} with `alg` and `key` through libjwt.
std::string Sign(jwt_alg_t alg, const std::string& key, const std::string& sub,
                 absl::Time exp) {
  jwt_t* jwt = nullptr;
  jwt_new(&jwt);
  jwt_add_grant(jwt, "sub", sub.c_str());
  jwt_add_grant_int(jwt, "exp", absl::ToUnixSeconds(exp));
  jwt_set_alg(jwt, alg, reinterpret_cast<const unsigned char*>(key.data()),
              static_cast<int>(key.size()));
  char* text = jwt_encode_str(jwt);
  std::string token = text != nullptr ? text : "";
  free(text);
  jwt_free(jwt);
  return token;
}

std::string Unsigned(const std::string& header, const std::string& claims) {
  std::string h, c;
  absl::WebSafeBase64Escape(header, &h);
  absl::WebSafeBase64Escape(claims, &c);
  return absl::StrCat(h, ".", c, ".");
}

class AuthTest : public ::testing::Test {
 protected:
  engine::FakeClock clock_{kNow};
};

TEST_F(AuthTest, Hs256UserTokens) {
  Authenticator auth({"user-secret", "", "svc-secret"}, &clock_);
  absl::StatusOr<Caller> caller = auth.VerifyToken(
      *MintToken("user-secret", "alice", kNow + absl::Hours(1)));
  ASSERT_TRUE(caller.ok()) << caller.status();
  EXPECT_EQ(caller->user_id, "alice");
  EXPECT_FALSE(caller->is_service);
}

TEST_F(AuthTest, ServiceTokensComeOnlyFromTheServiceSecret) {
  Authenticator auth({"user-secret", "", "svc-secret"}, &clock_);
  absl::StatusOr<Caller> service = auth.VerifyToken(
      *MintToken("svc-secret", "service:scheduler", kNow + absl::Hours(1)));
  ASSERT_TRUE(service.ok());
  EXPECT_TRUE(service->is_service);
  // A user token cannot name itself a service, nor a service a user.
  EXPECT_FALSE(auth.VerifyToken(*MintToken("user-secret", "service:scheduler",
                                           kNow + absl::Hours(1)))
                   .ok());
  EXPECT_FALSE(
      auth.VerifyToken(*MintToken("svc-secret", "alice", kNow + absl::Hours(1)))
          .ok());
}

TEST_F(AuthTest, ExpiryFollowsTheInjectedClock) {
  Authenticator auth({"s", "", ""}, &clock_);
  const std::string token = *MintToken("s", "alice", kNow + absl::Minutes(5));
  EXPECT_TRUE(auth.VerifyToken(token).ok());
  clock_.Advance(absl::Minutes(5));
  absl::Status expired = auth.VerifyToken(token).status();
  EXPECT_EQ(expired.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(expired.message(), "authorization: token expired");
}

TEST_F(AuthTest, RejectsWhatIsNotAValidToken) {
  Authenticator auth({"s", "", "svc"}, &clock_);
  const std::string exp = absl::StrCat(absl::ToUnixSeconds(kNow) + 60);
  for (const std::string& token : {
           std::string(""),
           std::string("abc"),
           std::string("a.b.c"),
           *MintToken("other", "alice", kNow + absl::Hours(1)),
           Unsigned(R"({"alg":"none"})",
                    absl::StrCat(R"({"sub":"alice","exp":)", exp, "}")),
           Unsigned(R"({"alg":"HS256"})",
                    absl::StrCat(R"({"sub":"alice","exp":)", exp, "}")),
           Sign(JWT_ALG_HS512, "s", "alice", kNow + absl::Hours(1)),
           Sign(JWT_ALG_HS256, "s", "al ice", kNow + absl::Hours(1)),
           std::string(9000, 'a'),
       }) {
    EXPECT_EQ(auth.VerifyToken(token).status().code(),
              absl::StatusCode::kUnauthenticated)
        << token;
  }
  // No exp at all.
  jwt_t* jwt = nullptr;
  jwt_new(&jwt);
  jwt_add_grant(jwt, "sub", "alice");
  jwt_set_alg(jwt, JWT_ALG_HS256, reinterpret_cast<const unsigned char*>("s"),
              1);
  char* text = jwt_encode_str(jwt);
  EXPECT_FALSE(auth.VerifyToken(text).ok());
  free(text);
  jwt_free(jwt);
}

TEST_F(AuthTest, Rs256InProductionAndNoAlgorithmConfusion) {
  const KeyPair keys = NewRsaKeyPair();
  Authenticator auth({"", keys.public_pem, "svc"}, &clock_);
  absl::StatusOr<Caller> caller = auth.VerifyToken(
      Sign(JWT_ALG_RS256, keys.private_pem, "alice", kNow + absl::Hours(1)));
  ASSERT_TRUE(caller.ok()) << caller.status();
  EXPECT_EQ(caller->user_id, "alice");
  // HS256 "signed" with the public key (the classic confusion attack).
  EXPECT_FALSE(auth.VerifyToken(Sign(JWT_ALG_HS256, keys.public_pem, "alice",
                                     kNow + absl::Hours(1)))
                   .ok());
  // Another key pair.
  const KeyPair other = NewRsaKeyPair();
  EXPECT_FALSE(auth.VerifyToken(Sign(JWT_ALG_RS256, other.private_pem, "alice",
                                     kNow + absl::Hours(1)))
                   .ok());
}

// A rotation of the service secret, rolled out pod by pod in three steps:
// add the new secret as the extra one, make it the main one with the old as
// extra, drop the old. At every moment some pods run the step before and
// some the step after; whatever either signs, both must accept.
TEST(KeyRotationTest, RollingServiceSecretRotationNeverRejects) {
  engine::FakeClock clock(kNow);
  const std::vector<AuthOptions> steps = {
      {"u", "", "old", {}, {}, {}},
      {"u", "", "old", {}, {}, {"new"}},
      {"u", "", "new", {}, {}, {"old"}},
      {"u", "", "new", {}, {}, {}},
  };
  for (size_t i = 0; i + 1 < steps.size(); ++i) {
    for (size_t signer : {i, i + 1}) {
      ServiceToken token(steps[signer].service_secret, "scheduler", &clock);
      const std::string bearer = *token.Get();
      for (size_t verifier : {i, i + 1}) {
        Authenticator auth(steps[verifier], &clock);
        absl::StatusOr<Caller> caller = auth.VerifyToken(bearer.substr(7));
        ASSERT_TRUE(caller.ok())
            << "step " << signer << " signs, step " << verifier
            << " verifies: " << caller.status();
        EXPECT_TRUE(caller->is_service);
      }
    }
  }
  // Once the old secret is dropped, it is refused.
  Authenticator done(steps.back(), &clock);
  EXPECT_FALSE(done.VerifyToken(*MintToken("old", "service:scheduler",
                                           kNow + absl::Hours(1)))
                   .ok());
}

TEST(KeyRotationTest, ExtraUserKeysAreAcceptedButKeepTheirKind) {
  engine::FakeClock clock(kNow);
  Authenticator hs({"new", "", "svc", {"old"}, {}, {"svc-old"}}, &clock);
  for (const char* secret : {"new", "old"}) {
    absl::StatusOr<Caller> caller =
        hs.VerifyToken(*MintToken(secret, "alice", kNow + absl::Hours(1)));
    ASSERT_TRUE(caller.ok()) << secret << ": " << caller.status();
    EXPECT_FALSE(caller->is_service);
  }
  // An extra user secret never makes a service, nor an extra service secret
  // a user; and an expired token stays expired under any key.
  EXPECT_FALSE(hs.VerifyToken(*MintToken("old", "service:scheduler",
                                         kNow + absl::Hours(1)))
                   .ok());
  EXPECT_FALSE(
      hs.VerifyToken(*MintToken("svc-old", "alice", kNow + absl::Hours(1)))
          .ok());
  EXPECT_FALSE(hs.VerifyToken(*MintToken("old", "alice", kNow)).ok());

  const KeyPair current = NewRsaKeyPair();
  const KeyPair next = NewRsaKeyPair();
  const KeyPair stranger = NewRsaKeyPair();
  Authenticator rs({"", current.public_pem, "svc", {}, {next.public_pem}, {}},
                   &clock);
  for (const KeyPair* keys : {&current, &next}) {
    EXPECT_TRUE(rs.VerifyToken(Sign(JWT_ALG_RS256, keys->private_pem, "alice",
                                    kNow + absl::Hours(1)))
                    .ok());
  }
  EXPECT_FALSE(rs.VerifyToken(Sign(JWT_ALG_RS256, stranger.private_pem, "alice",
                                   kNow + absl::Hours(1)))
                   .ok());
  // No algorithm confusion with the extra key either.
  EXPECT_FALSE(rs.VerifyToken(Sign(JWT_ALG_HS256, next.public_pem, "alice",
                                   kNow + absl::Hours(1)))
                   .ok());
}

TEST(ServiceTokenTest, RemintsBeforeExpiry) {
  engine::FakeClock clock(kNow);
  ServiceToken token("svc", "pairing", &clock);
  Authenticator auth({"u", "", "svc"}, &clock);
  const std::string first = *token.Get();
  ASSERT_EQ(first.rfind("Bearer ", 0), 0u);
  EXPECT_TRUE(auth.VerifyToken(first.substr(7)).ok());
  EXPECT_EQ(*token.Get(), first);
  clock.Advance(absl::Minutes(14) + absl::Seconds(1));
  const std::string second = *token.Get();
  EXPECT_NE(second, first);
  EXPECT_TRUE(auth.VerifyToken(second.substr(7)).ok());
}

TEST(UserIdTest, KeepsToASafeAlphabet) {
  EXPECT_TRUE(ValidateUserId("sub", "user-42@example.com").ok());
  EXPECT_FALSE(ValidateUserId("sub", "").ok());
  EXPECT_FALSE(ValidateUserId("sub", "a b").ok());
  EXPECT_FALSE(ValidateUserId("sub", "a*b").ok());
  EXPECT_FALSE(ValidateUserId("sub", std::string(129, 'a')).ok());
}

}  // namespace
}  // namespace tend::services
