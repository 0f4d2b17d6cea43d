// RequestHandler: routes, methods, auth and gzip, without a server.
#include "bpfproc/web/request_handler.h"

#include <zlib.h>

#include <gtest/gtest.h>

namespace bpfproc {
namespace {

const std::string kHash = "$2b$04$dR/J21ClGlkKz9JvCVDz/e4clSR/k3EPkkcjM.YIfKWOzP0UNCCzu";  // "s3cret"
const std::string kExposition = "# HELP up test\nup 1\n";

RequestHandler handler() {
  return RequestHandler({.telemetry_path = "/metrics",
                         .write_metrics = [](std::string& text) { text = kExposition; },
                         .health_json = [] { return std::string("{\"ok\":true}"); }});
}

std::string header_of(const HttpResponse& response, const std::string& name) {
  for (const auto& [key, value] : response.headers)
    if (key == name) return value;
  return "";
}

TEST(RequestHandler, ServesTheEndpoints) {
  RequestHandler server = handler();
  const BasicAuth no_auth({});
  HttpResponse metrics = server.respond({"GET", "/metrics", std::nullopt, std::nullopt}, no_auth);
  EXPECT_EQ(metrics.status, 200);
  EXPECT_EQ(metrics.body.substr(0, kExposition.size()), kExposition);
  EXPECT_NE(metrics.body.find("exposer_transferred_bytes_total"), std::string::npos) << "self-metrics appended";
  EXPECT_EQ(header_of(metrics, "Content-Type"), "text/plain; charset=utf-8");
  EXPECT_EQ(header_of(metrics, "Content-Encoding"), "");

  HttpResponse health = server.respond({"GET", "/health", std::nullopt, std::nullopt}, no_auth);
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.body, "{\"ok\":true}");
  EXPECT_EQ(header_of(health, "Content-Type"), "application/json");

  HttpResponse landing = server.respond({"HEAD", "/", std::nullopt, std::nullopt}, no_auth);
  EXPECT_EQ(landing.status, 200);
  EXPECT_NE(landing.body.find("<a href=\"/metrics\">"), std::string::npos);

  HttpResponse catalogue = server.respond({"GET", "/catalogue", std::nullopt, std::nullopt}, no_auth);
  EXPECT_EQ(catalogue.status, 200);
  EXPECT_EQ(catalogue.body.substr(0, 14), "catalogue:\n  -");
  EXPECT_NE(catalogue.body.find("subgroup: cassandra"), std::string::npos);
  EXPECT_EQ(header_of(catalogue, "Content-Type"), "text/plain; charset=utf-8");
  EXPECT_NE(landing.body.find("<a href=\"/catalogue\">"), std::string::npos);

  EXPECT_EQ(server.respond({"GET", "/nothing", std::nullopt, std::nullopt}, no_auth).status, 404);
  HttpResponse post = server.respond({"POST", "/metrics", std::nullopt, std::nullopt}, no_auth);
  EXPECT_EQ(post.status, 405);
  EXPECT_EQ(header_of(post, "Allow"), "GET, HEAD");
  EXPECT_EQ(server.respond({"DELETE", "/", std::nullopt, std::nullopt}, no_auth).status, 405);
}

TEST(RequestHandler, GzipsWhenAsked) {
  RequestHandler server = handler();
  HttpResponse response = server.respond({"GET", "/metrics", std::nullopt, "gzip, deflate"}, BasicAuth({}));
  ASSERT_EQ(header_of(response, "Content-Encoding"), "gzip");
  std::string plain(1 << 16, '\0');
  z_stream stream{};
  ASSERT_EQ(inflateInit2(&stream, 16 + MAX_WBITS), Z_OK);
  stream.next_in = reinterpret_cast<Bytef*>(response.body.data());
  stream.avail_in = static_cast<uInt>(response.body.size());
  stream.next_out = reinterpret_cast<Bytef*>(plain.data());
  stream.avail_out = static_cast<uInt>(plain.size());
  EXPECT_EQ(inflate(&stream, Z_FINISH), Z_STREAM_END);
  plain.resize(stream.total_out);
  inflateEnd(&stream);
  EXPECT_EQ(plain.substr(0, kExposition.size()), kExposition);
}

TEST(RequestHandler, AuthComesBeforeEverythingAndDefersBcrypt) {
  RequestHandler server = handler();
  BasicAuth auth({{"prometheus", kHash}});
  HttpResponse missing = server.respond({"GET", "/nothing", std::nullopt, std::nullopt}, auth);
  EXPECT_EQ(missing.status, 401) << "no 404 before auth: paths are not probed";
  EXPECT_EQ(header_of(missing, "WWW-Authenticate"), "Basic realm=\"bpfproc\"");
  EXPECT_EQ(server.respond({"GET", "/catalogue", std::nullopt, std::nullopt}, auth).status, 401)
      << "the catalogue is behind the same auth as /metrics";

  const HttpRequest request{"GET", "/metrics", "Basic cHJvbWV0aGV1czpzM2NyZXQ=", std::nullopt};
  HttpResponse deferred = server.respond(request, auth);
  ASSERT_TRUE(deferred.credentials_to_verify.has_value());
  EXPECT_EQ(deferred.status, 0);
  EXPECT_EQ(deferred.credentials_to_verify->user, "prometheus");
  EXPECT_EQ(server.respond(request, auth, CredentialCheck::kFailed).status, 401);
  EXPECT_EQ(server.respond(request, auth, CredentialCheck::kPassed).status, 200);

  ASSERT_TRUE(auth.verify(*deferred.credentials_to_verify));
  EXPECT_EQ(server.respond(request, auth).status, 200) << "from the cache, without a deferral";
}

}  // namespace
}  // namespace bpfproc
