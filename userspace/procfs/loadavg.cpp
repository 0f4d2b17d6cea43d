// The load averages of /proc/loadavg.
#include "bpfproc/procfs/loadavg.h"

#include <string>
#include <vector>

#include "bpfproc/procfs/proc_fields.h"

namespace bpfproc {

Result<LoadAverage> parse_loadavg(std::string_view text) {
  const std::vector<std::string_view> words = split_words(text.substr(0, text.find('\n')));
  LoadAverage load;
  // from_chars of a double needs no locale, unlike strtod.
  if (words.size() < 3 || !parse_whole_number(words[0], load.one) || !parse_whole_number(words[1], load.five) ||
      !parse_whole_number(words[2], load.fifteen))
    return Error{"malformed \"" + std::string(text.substr(0, 80)) + "\"", "loadavg", 0};
  return load;
}

}  // namespace bpfproc
