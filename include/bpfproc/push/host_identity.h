#pragma once
// The host's identity for pushed series (label `instance` unless the operator names one): a
// receiver sees many hosts, and a pushed series has no scrape target to tell them apart. The
// order is the one host agents use: the firmware's product UUID (stable across reinstalls, root
// only), the machine id (stable across reboots), the boot id (at least unique), the hostname.
#include <string>

namespace bpfproc {

struct HostIdentity {
  std::string value;
  std::string source;  // the file it came from, or "hostname"
};

// `root` prefixes every path ("/" on a host, a fixture directory in tests); `hostname` is the
// last resort, passed in so that tests choose it.
HostIdentity host_identity(const std::string& root, const std::string& hostname);

// gethostname(), "" if it fails.
std::string system_hostname();

}  // namespace bpfproc
