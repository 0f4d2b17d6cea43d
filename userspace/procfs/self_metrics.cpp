#include "bpfproc/procfs/self_metrics.h"

#include <dirent.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <limits>
#include <optional>
#include <string>

#include "bpfproc/util/clock.h"
#include "bpfproc/procfs/proc_fields.h"
#include "bpfproc/procfs/proc_stat.h"
#include "bpfproc/procfs/proc_status.h"

namespace bpfproc {

namespace {

constexpr std::string_view kMaxOpenFilesLine = "Max open files";
constexpr std::string_view kBootTimeKey = "btime ";
// prometheus/procfs reports an "unlimited" limit as the largest uint64.
constexpr std::uint64_t kUnlimited = std::numeric_limits<std::uint64_t>::max();

Result<double> process_clock_seconds() {
  timespec now{};
  if (::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now) != 0) {
    return Error{"clock_gettime", "CLOCK_PROCESS_CPUTIME_ID", errno};
  }
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) / 1e9;
}

// Entries of a directory other than "." and "..".
Result<std::size_t> count_entries(const std::string& path) {
  DIR* dir = ::opendir(path.c_str());
  if (dir == nullptr) return Error{"opendir", path, errno};
  std::size_t count = 0;
  errno = 0;  // readdir returns nullptr both at the end and on error; errno tells them apart
  while (const dirent* entry = ::readdir(dir)) {
    if (std::strcmp(entry->d_name, ".") != 0 && std::strcmp(entry->d_name, "..") != 0) ++count;
  }
  int readdir_errno = errno;
  ::closedir(dir);
  if (readdir_errno != 0) return Error{"readdir", path, readdir_errno};
  return count;
}

// The first whitespace-separated token of text, after leading blanks.
std::string_view first_token(std::string_view text) {
  std::size_t start = text.find_first_not_of(' ');
  if (start == std::string_view::npos) return {};
  text.remove_prefix(start);
  return text.substr(0, text.find_first_of(" \n"));
}

// What follows `prefix` on the first line of `text` that starts with it.
std::optional<std::string_view> rest_of_line_starting_with(std::string_view text, std::string_view prefix) {
  for (std::size_t line_start = 0; line_start < text.size();) {
    std::size_t line_end = text.find('\n', line_start);
    if (line_end == std::string_view::npos) line_end = text.size();
    const std::string_view line = text.substr(line_start, line_end - line_start);
    line_start = line_end + 1;
    if (line.starts_with(prefix)) return line.substr(prefix.size());
  }
  return std::nullopt;
}

// Parsers name only "stat" or "status"; errors should name the file read.
Error in_file(const Error& error, const std::string& path) {
  return Error{error.what, path, error.errno_value};
}

}  // namespace

Result<std::uint64_t> parse_max_open_files(std::string_view limits_text) {
  // Lines are "%-25s %-20s %-20s %-10s": name, soft limit, hard limit, unit.
  const auto limits = rest_of_line_starting_with(limits_text, kMaxOpenFilesLine);
  if (!limits) return Error{"no Max open files", "limits", 0};
  const std::string_view soft_limit = first_token(*limits);
  if (soft_limit == "unlimited") return kUnlimited;
  std::uint64_t value = 0;
  if (!parse_whole_number(soft_limit, value)) return Error{"bad Max open files", "limits", 0};
  return value;
}

Result<std::uint64_t> parse_boot_time(std::string_view stat_text) {
  const auto boot_time_line = rest_of_line_starting_with(stat_text, kBootTimeKey);
  if (!boot_time_line) return Error{"no btime", "stat", 0};
  std::uint64_t boot_time = 0;
  if (!parse_whole_number(first_token(*boot_time_line), boot_time)) return Error{"bad btime", "stat", 0};
  return boot_time;
}

Result<SelfMetrics> read_self_metrics(const ProcFs& procfs, SelfCpuSource cpu_source) {
  SelfMetrics metrics;

  Result<std::string> stat_text = procfs.read("self/stat");
  if (!stat_text) return stat_text.error();
  Result<ProcStat> stat = parse_proc_stat(*stat_text);
  if (!stat) return in_file(stat.error(), procfs.root() + "/self/stat");

  Result<std::string> status_text = procfs.read("self/status");
  if (!status_text) return status_text.error();
  Result<ProcStatus> status = parse_proc_status(*status_text);
  if (!status) return in_file(status.error(), procfs.root() + "/self/status");

  Result<std::string> limits_text = procfs.read("self/limits");
  if (!limits_text) return limits_text.error();
  Result<std::uint64_t> max_open_files = parse_max_open_files(*limits_text);
  if (!max_open_files) return in_file(max_open_files.error(), procfs.root() + "/self/limits");

  Result<std::string> system_stat_text = procfs.read("stat");
  if (!system_stat_text) return system_stat_text.error();
  Result<std::uint64_t> boot_time = parse_boot_time(*system_stat_text);
  if (!boot_time) return in_file(boot_time.error(), procfs.root() + "/stat");

  Result<std::size_t> open_fds = count_entries(procfs.root() + "/self/fd");
  if (!open_fds) return open_fds.error();

  const double ticks_per_second = static_cast<double>(clock_ticks_per_second());
  if (cpu_source == SelfCpuSource::process_clock) {
    Result<double> cpu_seconds = process_clock_seconds();
    if (!cpu_seconds) return cpu_seconds.error();
    metrics.cpu_seconds = *cpu_seconds;
  } else {
    metrics.cpu_seconds =
        static_cast<double>(stat->utime_ticks + stat->stime_ticks) / ticks_per_second;
  }
  metrics.resident_memory_bytes = static_cast<double>(status->vm_rss_bytes);
  metrics.virtual_memory_bytes = static_cast<double>(status->vm_size_bytes);
  metrics.open_fds = static_cast<double>(*open_fds);
  metrics.max_fds = static_cast<double>(*max_open_files);
  metrics.start_time_seconds =
      static_cast<double>(stat->start_time_ticks) / ticks_per_second + static_cast<double>(*boot_time);
  metrics.threads = static_cast<double>(status->threads);
  return metrics;
}

}  // namespace bpfproc
