#pragma once
// Parser for /proc/net/dev: two header lines, then per interface "name: " and 8 receive and 8
// transmit counters (the columns its header names).
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "bpfproc/util/result.h"

namespace bpfproc {

struct NetDevice {
  std::string name;
  // receive: bytes packets errs drop fifo frame compressed multicast;
  // transmit: bytes packets errs drop fifo colls carrier compressed.
  std::array<std::uint64_t, 8> receive{};
  std::array<std::uint64_t, 8> transmit{};
};

// Column names in the order of NetDevice::receive and ::transmit, as the header prints them.
inline constexpr std::array<std::string_view, 8> kNetReceiveColumns{"bytes", "packets", "errs",       "drop",
                                                                    "fifo",  "frame",   "compressed", "multicast"};
inline constexpr std::array<std::string_view, 8> kNetTransmitColumns{"bytes", "packets", "errs",    "drop",
                                                                     "fifo",  "colls",   "carrier", "compressed"};

// Every interface, in file order. An error names the first line that is not "name: 16 numbers".
Result<std::vector<NetDevice>> parse_net_dev(std::string_view text);

}  // namespace bpfproc
