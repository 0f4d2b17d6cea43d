#pragma once
// What identifies a group: its name (the `group` label) and, for groups the catalogue makes, its
// subgroup (the `subgroup` label). Groups of other rules have an empty subgroup, and no such label.
#include <string>
#include <tuple>

namespace bpfproc {

struct GroupName {
  std::string name;
  std::string subgroup;

  friend bool operator==(const GroupName& a, const GroupName& b) {
    return a.name == b.name && a.subgroup == b.subgroup;
  }
  friend bool operator<(const GroupName& a, const GroupName& b) {
    return std::tie(a.name, a.subgroup) < std::tie(b.name, b.subgroup);
  }
};

}  // namespace bpfproc
