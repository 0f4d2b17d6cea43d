#pragma once
// The built-in catalogue of well-known programs (catalogue/catalogue.yml, embedded at build
// time): each entry names a group and a subgroup and the matchers that identify the program.
// A `- use: catalogue` rule of process_names classifies by it (config.h); the file's header says
// how an entry matches. The first matching entry wins, as among rules.
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <re2/re2.h>

#include "bpfproc/procfs/process_identity.h"
#include "bpfproc/util/result.h"

namespace bpfproc {

struct CatalogueEntry {
  std::string group;
  std::string subgroup;
  std::vector<std::string> comm;  // exact comm (cut to 15 bytes, as the kernel keeps it)
  std::vector<std::string> exe;   // base name of argv[0] or of the resolved executable
  std::vector<std::shared_ptr<const RE2>> cmdline;  // all must match argv joined by spaces
  std::string example;  // a command line the cmdline regexes match (checked by the unit test)
  int line = 0;         // in catalogue.yml

  // The entry's own matchers, without regard to entries before it.
  bool matches(const ProcessIdentity& identity) const;
};

class Catalogue {
 public:
  // Errors are one line, "<source>:<line>: <reason>", as for config files.
  static Result<Catalogue> parse(std::string_view yaml_text, const std::string& source_name);

  // The first entry that matches, or nullptr.
  const CatalogueEntry* match(const ProcessIdentity& identity) const;
  const std::vector<CatalogueEntry>& entries() const { return entries_; }
  // The groups, in the order they first appear.
  std::vector<std::string> groups() const;

 private:
  std::vector<CatalogueEntry> entries_;
  // Entries by each comm and exe name they list, in order, so a match looks at a handful of
  // entries rather than all of them; entries with neither are tried for every process.
  std::unordered_map<std::string, std::vector<std::size_t>> by_comm_;
  std::unordered_map<std::string, std::vector<std::size_t>> by_exe_;
  std::vector<std::size_t> cmdline_only_;
};

// The embedded catalogue, parsed once. A broken one aborts: the unit tests load it, so only a
// build that skipped them can ship one.
const Catalogue& builtin_catalogue();
extern const char* const kCatalogueYaml;

}  // namespace bpfproc
