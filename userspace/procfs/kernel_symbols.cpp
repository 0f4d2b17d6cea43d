#include "bpfproc/procfs/kernel_symbols.h"

#include <charconv>

namespace bpfproc {

std::string symbol_at(std::string_view kallsyms, std::uint64_t address) {
  std::uint64_t best_address = 0;
  std::string_view best;
  while (!kallsyms.empty()) {
    const std::size_t end = kallsyms.find('\n');
    std::string_view line = kallsyms.substr(0, end);
    kallsyms = end == std::string_view::npos ? std::string_view() : kallsyms.substr(end + 1);
    // "ffffffff8226a1b0 T do_wait" or "... t name\t[module]"
    std::uint64_t symbol = 0;
    const auto [after, error] = std::from_chars(line.data(), line.data() + line.size(), symbol, 16);
    if (error != std::errc() || line.size() < static_cast<std::size_t>(after - line.data()) + 3) continue;
    const std::size_t type_at = static_cast<std::size_t>(after - line.data()) + 1;
    if (line[type_at] != 't' && line[type_at] != 'T') continue;
    if (symbol == 0 || symbol > address || symbol < best_address) continue;
    std::string_view name = line.substr(type_at + 2);
    name = name.substr(0, name.find_first_of("\t "));
    best_address = symbol;
    best = name;
  }
  return std::string(best);
}

const std::string& KernelSymbols::name_of(std::uint64_t address) {
  if (auto found = names_.find(address); found != names_.end()) return found->second;
  auto kallsyms = procfs_.read("kallsyms");
  std::string name = kallsyms ? symbol_at(*kallsyms, address) : std::string();
  if (names_.size() >= kMaxCached) {
    uncached_ = std::move(name);
    return uncached_;
  }
  return names_.emplace(address, std::move(name)).first->second;
}

}  // namespace bpfproc
