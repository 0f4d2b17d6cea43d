#pragma once
// Kernel text addresses to symbol names, from /proc/kallsyms, as /proc/PID/wchan prints them
// ("do_wait", "poll_schedule_timeout.constprop.0"). Used for process-exporter's threads_wchan:
// a handful of distinct addresses, each looked up once (one read of kallsyms, ~120,000 lines)
// and then kept.
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include "bpfproc/procfs/procfs.h"

namespace bpfproc {

// The text symbol at or below address in kallsyms' text ("ADDRESS TYPE NAME [MODULE]" lines),
// without its module; empty when there is none (addresses hidden, as without root, read as 0).
std::string symbol_at(std::string_view kallsyms, std::uint64_t address);

class KernelSymbols {
 public:
  static constexpr std::size_t kMaxCached = 4096;  // addresses; past it, lookups are not kept
  explicit KernelSymbols(const ProcFs& procfs) : procfs_(procfs) {}
  // The name, or "" when kallsyms cannot be read or has none.
  const std::string& name_of(std::uint64_t address);

 private:
  ProcFs procfs_;
  std::unordered_map<std::uint64_t, std::string> names_;
  std::string uncached_;
};

}  // namespace bpfproc
