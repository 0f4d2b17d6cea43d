#include "bpfproc/procfs/proc_status.h"

#include "bpfproc/procfs/proc_fields.h"

namespace bpfproc {

namespace {

// "0\t0\t0\t0": real, effective, saved set, filesystem uid.
bool parse_uids(std::string_view value, std::uint32_t& real_uid, std::uint32_t& effective_uid) {
  return take_number(value, real_uid) && take_number(value, effective_uid);
}

bool parse_count(std::string_view value, std::uint64_t& count) {
  return take_number(value, count) && skip_blanks(value).empty();
}

Error malformed(const char* what) { return Error{what, "status", 0}; }

}  // namespace

Result<ProcStatus> parse_proc_status(std::string_view text) {
  ProcStatus status;
  bool have_uid = false;
  bool have_threads = false;

  const char* problem = nullptr;
  for_each_field(text, [&](std::string_view key, std::string_view value) {
    if (key == "Name") {
      // Exactly one tab follows the colon; a comm may itself start with blanks.
      if (!value.empty() && value.front() == '\t') value.remove_prefix(1);
      status.name.assign(value);
    } else if (key == "Uid") {
      if (!parse_uids(value, status.real_uid, status.effective_uid)) problem = "bad Uid";
      have_uid = true;
    } else if (key == "Threads") {
      if (!parse_count(value, status.threads)) problem = "bad Threads";
      have_threads = true;
    } else if (key == "VmRSS") {
      if (!parse_kilobytes(value, status.vm_rss_bytes)) problem = "bad VmRSS";
    } else if (key == "VmSize") {
      if (!parse_kilobytes(value, status.vm_size_bytes)) problem = "bad VmSize";
    }
    return problem == nullptr;
  });
  if (problem != nullptr) return malformed(problem);
  if (!have_uid) return malformed("no Uid");
  if (!have_threads) return malformed("no Threads");
  return status;
}

}  // namespace bpfproc
