// The mount table of /proc/PID/mounts.
#include "bpfproc/procfs/mounts.h"

#include <optional>

#include "bpfproc/procfs/proc_fields.h"

namespace bpfproc {

std::string unescape_octal(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t index = 0; index < text.size(); ++index) {
    const auto octal = [&](std::size_t at) { return at < text.size() && text[at] >= '0' && text[at] <= '7'; };
    if (text[index] == '\\' && octal(index + 1) && octal(index + 2) && octal(index + 3)) {
      out += static_cast<char>((text[index + 1] - '0') * 64 + (text[index + 2] - '0') * 8 + (text[index + 3] - '0'));
      index += 3;
    } else {
      out += text[index];
    }
  }
  return out;
}

bool Mount::read_only() const {
  std::string_view rest = options;
  while (!rest.empty()) {
    const std::size_t comma = rest.find(',');
    if (rest.substr(0, comma) == "ro") return true;
    rest.remove_prefix(comma == std::string_view::npos ? rest.size() : comma + 1);
  }
  return false;
}

Result<std::vector<Mount>> parse_mounts(std::string_view text) {
  std::vector<Mount> mounts;
  std::optional<Error> error;
  for_each_line(text, [&](std::string_view line) {
    if (error || skip_blanks(line).empty()) return;
    const std::vector<std::string_view> words = split_words(line);
    if (words.size() < 4) {
      error = Error{"malformed line \"" + std::string(line.substr(0, 80)) + "\"", "mounts", 0};
      return;
    }
    mounts.push_back(Mount{std::string(words[0]), unescape_octal(words[1]), std::string(words[2]),
                           std::string(words[3])});
  });
  if (error) return *error;
  return mounts;
}

}  // namespace bpfproc
