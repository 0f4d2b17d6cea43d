#include "bpfproc/push/host_identity.h"

#include <unistd.h>

#include <array>
#include <string_view>

#include "bpfproc/util/whole_file.h"

namespace bpfproc {
namespace {

// The first line, without surrounding blanks; firmware fills unset fields with blanks or zeros.
std::string first_line(std::string_view text) {
  text = text.substr(0, text.find('\n'));
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) text.remove_suffix(1);
  return std::string(text);
}

// Vendors ship boards with an all-zero (or all-F) UUID: then every such host would look the same.
bool placeholder(std::string_view value) {
  return value.find_first_not_of("0-") == std::string_view::npos ||
         value.find_first_not_of("fF-") == std::string_view::npos;
}

}  // namespace

HostIdentity host_identity(const std::string& root, const std::string& hostname) {
  const std::string prefix = root == "/" ? "" : root;
  constexpr std::array<const char*, 3> kFiles{"/sys/class/dmi/id/product_uuid", "/etc/machine-id",
                                              "/proc/sys/kernel/random/boot_id"};
  for (const char* file : kFiles) {
    auto text = read_whole_file(prefix + file);
    if (!text) continue;  // absent, or product_uuid without root: the next source
    std::string value = first_line(*text);
    if (!value.empty() && !placeholder(value)) return {std::move(value), file};
  }
  return {hostname, "hostname"};
}

std::string system_hostname() {
  std::array<char, 256> name{};  // HOST_NAME_MAX is 64; 256 leaves room for any kernel's
  if (gethostname(name.data(), name.size() - 1) != 0) return "";
  return name.data();
}

}  // namespace bpfproc
