// WebServer on loopback: HEAD and 405 through libmicrohttpd, and reconfigure() swapping the users
// of running server without a restart.
#include "bpfproc/web/web_server.h"

#include <arpa/inet.h>
#include <crypt.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "bpfproc/snapshot/snapshot_publisher.h"
#include "exposition/fixed_snapshot.h"

namespace bpfproc {
namespace {

// The whole answer to one request on a fresh connection ("Connection: close").
std::string http_exchange(int port, const std::string& request) {
  const int socket_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string answer;
  if (connect(socket_fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
      write(socket_fd, request.data(), request.size()) == static_cast<ssize_t>(request.size())) {
    char buffer[4096];
    for (ssize_t got; (got = read(socket_fd, buffer, sizeof(buffer))) > 0;) answer.append(buffer, got);
  }
  close(socket_fd);
  return answer;
}

int status_of(const std::string& answer) { return answer.size() > 12 ? std::stoi(answer.substr(9, 3)) : 0; }

std::string get(int port, const std::string& method, const std::string& path, const std::string& authorization = "") {
  return http_exchange(port, method + " " + path + " HTTP/1.1\r\nHost: test\r\n" +
                            (authorization.empty() ? "" : "Authorization: " + authorization + "\r\n") +
                            "Connection: close\r\n\r\n");
}

std::string bcrypt(const std::string& password) {
  char salt[CRYPT_GENSALT_OUTPUT_SIZE];
  crypt_data scratch{};
  crypt_gensalt_rn("$2b$", 4, nullptr, 0, salt, sizeof(salt));
  return crypt_r(password.c_str(), salt, &scratch);
}

class WebServerTest : public ::testing::Test {
 protected:
  void start(WebConfig config) {
    publisher_.start();
    WebOptions options{.listen_addresses = {"127.0.0.1:0"}, .telemetry_path = "/metrics", .config = std::move(config)};
    auto server = WebServer::start(options, std::make_shared<ScrapeSource>(publisher_), [] { return std::string("{}"); });
    ASSERT_TRUE(server.ok()) << server.error().message();
    server_ = std::move(*server);
    port_ = server_->ports().at(0);
  }
  SnapshotPublisher publisher_{[] { return std::make_shared<ExporterSnapshot>(fixed_snapshot()); }, {}};
  std::unique_ptr<WebServer> server_;
  int port_ = 0;
};

TEST_F(WebServerTest, AnswersHeadWithoutABodyAndOtherMethodsWith405) {
  start({});
  const std::string get_answer = get(port_, "GET", "/metrics");
  ASSERT_EQ(status_of(get_answer), 200) << get_answer;
  const std::string head = get(port_, "HEAD", "/metrics");
  EXPECT_EQ(status_of(head), 200) << head;
  EXPECT_EQ(head.find("\r\n\r\n") + 4, head.size()) << "HEAD carries no body";
  EXPECT_NE(head.find("Content-Length: "), std::string::npos);
  const std::string post = get(port_, "POST", "/metrics");
  EXPECT_EQ(status_of(post), 405) << post;
  EXPECT_NE(post.find("Allow: GET, HEAD"), std::string::npos);
  EXPECT_EQ(status_of(get(port_, "GET", "/absent")), 404);
}

TEST_F(WebServerTest, ReconfigureSwapsTheUsersOfARunningServer) {
  start({.tls = std::nullopt, .basic_auth_users = {{"prometheus", bcrypt("s3cret")}}});
  const std::string old_user = "Basic cHJvbWV0aGV1czpzM2NyZXQ=";  // prometheus:s3cret
  const std::string new_user = "Basic c2NyYXBlcjpuZXc=";          // scraper:new
  EXPECT_EQ(status_of(get(port_, "GET", "/health", old_user)), 200);
  EXPECT_EQ(status_of(get(port_, "GET", "/health", new_user)), 401);

  ASSERT_TRUE(server_->reconfigure({.tls = std::nullopt, .basic_auth_users = {{"scraper", bcrypt("new")}}}).ok());
  EXPECT_EQ(status_of(get(port_, "GET", "/health", old_user)), 401) << "the old user's cached success is gone";
  EXPECT_EQ(status_of(get(port_, "GET", "/health", new_user)), 200);

  // Turning TLS on needs a restart: refused, and the users in force stay.
  WebConfig with_tls;
  with_tls.tls = TlsConfig();
  auto refused = server_->reconfigure(with_tls);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().message(), "tls_server_config: turning TLS on needs a restart");
  EXPECT_EQ(status_of(get(port_, "GET", "/health")), 401);

  ASSERT_TRUE(server_->reconfigure({}).ok());
  EXPECT_EQ(status_of(get(port_, "GET", "/health")), 200) << "no users: no auth";
}

// http_server_config's headers go on every response, refusals included, and follow a reconfigure.
TEST_F(WebServerTest, ConfiguredHeadersGoOnEveryResponse) {
  WebConfig config{.tls = std::nullopt,
                   .http_server = {.headers = {{"X-Frame-Options", "deny"}, {"Strict-Transport-Security", "max-age=60"}}},
                   .basic_auth_users = {{"prometheus", bcrypt("s3cret")}}};
  start(config);
  const std::string authorized = get(port_, "GET", "/metrics", "Basic cHJvbWV0aGV1czpzM2NyZXQ=");
  ASSERT_EQ(status_of(authorized), 200) << authorized;
  EXPECT_NE(authorized.find("X-Frame-Options: deny\r\n"), std::string::npos) << authorized.substr(0, 400);
  EXPECT_NE(authorized.find("Strict-Transport-Security: max-age=60\r\n"), std::string::npos);
  const std::string refused = get(port_, "GET", "/metrics");
  ASSERT_EQ(status_of(refused), 401);
  EXPECT_NE(refused.find("X-Frame-Options: deny\r\n"), std::string::npos) << refused;

  config.http_server.headers = {{"X-Content-Type-Options", "nosniff"}};
  ASSERT_TRUE(server_->reconfigure(config).ok());
  const std::string after = get(port_, "GET", "/health", "Basic cHJvbWV0aGV1czpzM2NyZXQ=");
  EXPECT_NE(after.find("X-Content-Type-Options: nosniff\r\n"), std::string::npos) << after;
  EXPECT_EQ(after.find("X-Frame-Options"), std::string::npos) << "the old headers are gone";
}

}  // namespace
}  // namespace bpfproc
