#include "bpfproc/app/catalogue_command.h"

#include <cstdio>

#include "bpfproc/grouping/catalogue_listing.h"
#include "bpfproc/util/exit_status.h"

namespace bpfproc {

int run_catalogue(const std::string& group, const std::string& format) {
  auto parsed_format = parse_catalogue_format(format);
  if (!parsed_format) return fail(kExitBadInput, parsed_format.error().message());
  auto listing = catalogue_listing(builtin_catalogue(), *parsed_format, group);
  if (!listing) return fail(kExitBadInput, listing.error().message());
  std::fputs(listing->c_str(), stdout);
  return 0;
}

}  // namespace bpfproc
