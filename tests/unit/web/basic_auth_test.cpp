// Basic auth: only the right password passes, every byte of it, and the cache never holds it.
#include "bpfproc/web/basic_auth.h"

#include <gtest/gtest.h>

namespace bpfproc {
namespace {

// bcrypt (cost 4, to keep the test fast) of "s3cret".
const std::string kHash = "$2b$04$dR/J21ClGlkKz9JvCVDz/e4clSR/k3EPkkcjM.YIfKWOzP0UNCCzu";

std::string basic(const std::string& user_and_password) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string encoded;
  unsigned buffer = 0;
  int bits = 0;
  for (unsigned char byte : user_and_password) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      encoded += kAlphabet[(buffer >> bits) & 63];
    }
  }
  if (bits > 0) encoded += kAlphabet[(buffer << (6 - bits)) & 63];
  while (encoded.size() % 4 != 0) encoded += '=';
  return "Basic " + encoded;
}

TEST(BasicAuth, AcceptsOnlyTheRightPassword) {
  BasicAuth auth({{"prometheus", kHash}});
  EXPECT_TRUE(auth.enabled());
  EXPECT_EQ(basic("prometheus:s3cret"), "Basic cHJvbWV0aGV1czpzM2NyZXQ=");
  EXPECT_TRUE(auth.allows(basic("prometheus:s3cret")));
  EXPECT_TRUE(auth.allows(basic("prometheus:s3cret"))) << "again, from the cache";
  EXPECT_FALSE(auth.allows(basic("prometheus:wrong")));
  EXPECT_FALSE(auth.allows(basic("prometheus:s3cre")));
  EXPECT_FALSE(auth.allows(basic("prometheus:s3cretX")));
  EXPECT_FALSE(auth.allows(basic("nobody:s3cret")));
  EXPECT_FALSE(auth.allows("Bearer cHJvbWV0aGV1czpzM2NyZXQ="));
  EXPECT_FALSE(auth.allows("Basic !!!"));
  EXPECT_FALSE(auth.allows(basic("prometheus")));
  EXPECT_FALSE(BasicAuth({}).enabled());
  EXPECT_TRUE(BasicAuth({}).allows("")) << "no users: no auth";
}

TEST(BasicAuth, APasswordWithANulIsRefusedEvenAfterTheRightOnePassed) {
  BasicAuth auth({{"prometheus", kHash}});
  ASSERT_TRUE(auth.allows(basic("prometheus:s3cret")));
  // crypt() stops at the NUL: without the check this would pass bcrypt, or hit the cache.
  EXPECT_FALSE(auth.allows(basic(std::string("prometheus:s3cret\0anything", 26))));
  EXPECT_FALSE(auth.allows(basic(std::string("prometheus:s3cret\0", 18))));
  Credentials credentials{"prometheus", std::string("s3cret\0x", 8)};
  EXPECT_FALSE(auth.verify(credentials));
}

TEST(BasicAuth, OnlyCredentialsThatPassedBcryptAreAllowedFromTheCache) {
  BasicAuth auth({{"prometheus", kHash}});
  Credentials credentials;
  EXPECT_EQ(auth.check_cached(basic("prometheus:s3cret"), credentials), BasicAuth::Verdict::kNeedsCheck);
  EXPECT_EQ(credentials.user, "prometheus");
  EXPECT_EQ(credentials.password, "s3cret");
  EXPECT_FALSE(auth.verify({"prometheus", "wrong"}));
  EXPECT_EQ(auth.check_cached(basic("prometheus:wrong"), credentials), BasicAuth::Verdict::kNeedsCheck)
      << "failures are not remembered";
  EXPECT_TRUE(auth.verify({"prometheus", "s3cret"}));
  EXPECT_EQ(auth.check_cached(basic("prometheus:s3cret"), credentials), BasicAuth::Verdict::kAllowed);
  EXPECT_EQ(auth.check_cached(basic("prometheus:s3cre"), credentials), BasicAuth::Verdict::kNeedsCheck);
  EXPECT_EQ(auth.check_cached("Basic", credentials), BasicAuth::Verdict::kDenied);
}

TEST(BasicAuth, AnUnknownUserIsCheckedAgainstADummyHash) {
  BasicAuth auth({{"prometheus", kHash}});
  Credentials credentials;
  // Unknown users go to bcrypt like known ones: check_cached cannot tell them apart.
  EXPECT_EQ(auth.check_cached(basic("nobody:s3cret"), credentials), BasicAuth::Verdict::kNeedsCheck);
  EXPECT_FALSE(auth.verify(credentials));
}

TEST(BasicAuth, TheDummyHashCostsWhatTheDearestUserHashCosts) {
  EXPECT_EQ(bcrypt_cost("$2b$10$.mkbUGpvKEljBUQ4dsAxbe86nULUAcnSTL6Uo5gT94D8pxK3p3sOm"), 10);
  EXPECT_EQ(bcrypt_cost("$2y$04$x"), 4);
  EXPECT_EQ(bcrypt_cost("plain"), 0);
  // Only the cost is read from the users' hashes here, so a made-up cost-6 hash will do.
  EXPECT_EQ(BasicAuth({{"a", kHash}, {"b", "$2a$06$" + std::string(53, 'x')}}).dummy_cost(), 6);
  EXPECT_EQ(BasicAuth({{"a", kHash}}).dummy_cost(), 4);
}

TEST(Base64, DecodesWithAndWithoutPadding) {
  EXPECT_EQ(decode_base64("cHJvbQ==").value(), "prom");
  EXPECT_EQ(decode_base64("cHJvbQ").value(), "prom");
  EXPECT_EQ(decode_base64("").value(), "");
  EXPECT_FALSE(decode_base64("cH*v").has_value());
}

}  // namespace
}  // namespace bpfproc
