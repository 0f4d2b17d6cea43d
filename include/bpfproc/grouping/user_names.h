#pragma once
// uid -> user name, for {{.Username}}. Not cached here: the process table keeps every name it
// was given, and asks only for uids it has not seen.
#include <cstdint>
#include <string>

namespace bpfproc {

// The name from the password database (getpwuid_r: may go through NSS to LDAP, so never call it
// under a lock others wait on), or the uid in decimal when it has none.
std::string user_name(std::uint32_t uid);

}  // namespace bpfproc
