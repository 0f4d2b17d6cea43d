// --web.listen-address: node_exporter's [host]:port forms, and errors that say why.
#include "bpfproc/web/listen_address.h"

#include <netinet/in.h>

#include <gtest/gtest.h>

namespace bpfproc {
namespace {

TEST(ListenAddress, ParsesEveryForm) {
  auto any = parse_listen_address(":9435");
  ASSERT_TRUE(any.ok());
  EXPECT_TRUE(any->any_host);
  EXPECT_EQ(any->address.ss_family, AF_INET6) << "both stacks on one socket";
  auto v4 = parse_listen_address("127.0.0.1:9435");
  ASSERT_TRUE(v4.ok());
  EXPECT_EQ(v4->address.ss_family, AF_INET);
  EXPECT_EQ(ntohs(reinterpret_cast<const sockaddr_in&>(v4->address).sin_port), 9435);
  EXPECT_EQ(parse_listen_address("localhost:1")->address.ss_family, AF_INET);
  auto v6 = parse_listen_address("[::1]:9435");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->address.ss_family, AF_INET6);
  EXPECT_FALSE(v6->any_host);
}

TEST(ListenAddress, ErrorsNameTheFlag) {
  const auto error_of = [](const std::string& text) { return parse_listen_address(text).error().message(); };
  EXPECT_EQ(error_of("9435"), "--web.listen-address 9435: expected [host]:port");
  EXPECT_EQ(error_of(":99999"), "--web.listen-address :99999: invalid port \"99999\"");
  EXPECT_EQ(error_of("host.example:80"),
            "--web.listen-address host.example:80: host must be an IP address, [IPv6 address], \"localhost\" or empty");
  EXPECT_EQ(error_of("[::g]:80"), "--web.listen-address [::g]:80: \"[::g]\" is not an IPv6 address");
}

TEST(ListenAddress, APortInUseSaysSo) {
  auto first = open_listening_socket(*parse_listen_address("127.0.0.1:0"));
  ASSERT_TRUE(first.ok()) << first.error().message();
  sockaddr_in bound{};
  socklen_t length = sizeof(bound);
  ASSERT_EQ(getsockname(first->get(), reinterpret_cast<sockaddr*>(&bound), &length), 0);
  const std::string address = "127.0.0.1:" + std::to_string(ntohs(bound.sin_port));
  auto second = open_listening_socket(*parse_listen_address(address));
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().message(), "--web.listen-address " + address + ": cannot listen: Address already in use");
}

}  // namespace
}  // namespace bpfproc
