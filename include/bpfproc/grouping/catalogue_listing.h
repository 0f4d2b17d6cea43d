#pragma once
// The catalogue as `bpfproc catalogue` prints it and /catalogue serves it: a table (group,
// subgroup, matchers) or YAML in catalogue.yml's own shape, all entries or one group's.
#include <string>
#include <string_view>

#include "bpfproc/grouping/catalogue.h"
#include "bpfproc/util/result.h"

namespace bpfproc {

enum class CatalogueFormat { kTable, kYaml };

// "table" or "yaml"; anything else is an error naming the two.
Result<CatalogueFormat> parse_catalogue_format(std::string_view text);

// `group` empty: every entry. A group the catalogue does not have is an error naming those it has.
Result<std::string> catalogue_listing(const Catalogue& catalogue, CatalogueFormat format, const std::string& group = {});

}  // namespace bpfproc
