#include "bpfproc/procfs/proc_stat.h"

#include <array>
#include <cstddef>

#include "bpfproc/procfs/proc_fields.h"

namespace bpfproc {

namespace {

// Fields 3 (state) to 25 (rsslim) of proc(5). bpfproc uses up to 24 (rss); requiring 25 as well
// proves that rss was not cut short. Every kernel since 2.6 writes at least 44 fields.
constexpr int kFirstFieldAfterComm = 3;
constexpr int kLastFieldRequired = 25;
constexpr std::size_t kFieldsRequired = kLastFieldRequired - kFirstFieldAfterComm + 1;

bool is_space(char character) { return character == ' ' || character == '\n'; }

Error malformed(const char* what) { return Error{what, "stat", 0}; }

}  // namespace

Result<ProcStat> parse_proc_stat(std::string_view text) {
  ProcStat stat;

  // "PID (COMM) S ...": comm may hold spaces and ')' but the kernel writes nothing after it that
  // contains ')', so the last ')' closes it.
  std::size_t open_paren = text.find('(');
  std::size_t close_paren = text.rfind(')');
  if (open_paren == std::string_view::npos || close_paren == std::string_view::npos ||
      close_paren < open_paren) {
    return malformed("no (comm)");
  }
  if (open_paren < 2 || text[open_paren - 1] != ' ' ||
      !parse_whole_number(text.substr(0, open_paren - 1), stat.pid)) {
    return malformed("bad pid");
  }
  stat.comm.assign(text.substr(open_paren + 1, close_paren - open_paren - 1));

  std::array<std::string_view, kFieldsRequired> fields;
  std::string_view rest = text.substr(close_paren + 1);
  std::size_t position = 0;
  std::size_t count = 0;
  while (count < fields.size()) {
    while (position < rest.size() && is_space(rest[position])) ++position;
    if (position == rest.size()) break;
    std::size_t start = position;
    while (position < rest.size() && !is_space(rest[position])) ++position;
    fields[count++] = rest.substr(start, position - start);
  }
  if (count < fields.size()) return malformed("truncated");

  // Field numbers as in proc(5), so each line can be checked against the man page.
  auto field = [&fields](int number) { return fields[number - kFirstFieldAfterComm]; };
  if (field(3).size() != 1) return malformed("bad state");
  stat.state = field(3).front();
  if (!parse_whole_number(field(4), stat.ppid) ||
      !parse_whole_number(field(9), stat.flags) ||
      !parse_whole_number(field(14), stat.utime_ticks) ||
      !parse_whole_number(field(15), stat.stime_ticks) ||
      !parse_whole_number(field(20), stat.num_threads) ||
      !parse_whole_number(field(22), stat.start_time_ticks) ||
      !parse_whole_number(field(23), stat.virtual_memory_bytes) ||
      !parse_whole_number(field(24), stat.resident_pages)) {
    return malformed("bad number");
  }
  return stat;
}

}  // namespace bpfproc
