#pragma once
// The remote_write: section of the config file (--config.file), the same settings as the
// --remote-write.* flags and --label; a flag given on the command line wins over its key.
//
//   remote_write:
//     url: [http://prometheus:9090/api/v1/write]   # or one string
//     interval: 15s
//     queue_duration: 15m
//     timeout: 30s
//     basic_auth: {username: bpfproc, password_file: /etc/bpfproc/password}
//     bearer_token_file: /etc/bpfproc/token
//     tls_config: {ca_file: ..., cert_file: ..., key_file: ...}
//     headers: {X-Scope-OrgID: farm}
//     external_labels: {datacenter: eu-1}
#include <string>

#include "bpfproc/push/remote_write_options.h"
#include "bpfproc/util/result.h"

namespace bpfproc {

// Fills what `flags` leaves at its default from the document's remote_write: section, if any.
// `source` names the file in errors ("<source>:<line>: <reason>"): bad input, exit 2.
Status apply_remote_write_config(const std::string& document, const std::string& source, RemoteWriteFlags& flags);

}  // namespace bpfproc
