// Runs a command through /bin/sh in a given directory, capturing stdout, stderr and the exit
// code. Header-only; for the end-to-end tests of the real binary.
#pragma once

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "tests/support/files.h"

namespace fluxstatus::testing {

struct ProcessResult {
  int exit_code = -1;  // 128 + signal when killed by a signal
  std::string out;
  std::string err;
};

// POSIX shell single-quoting: safe for any byte string.
inline std::string ShellQuote(const std::string& s) {
  std::string q = "'";
  for (char c : s) {
    if (c == '\'')
      q += "'\\''";
    else
      q += c;
  }
  return q + "'";
}

// Runs argv (argv[0] is the program) in dir; stdin is the given text, or /dev/null. The
// captured streams go through files in dir named .proc-*, removed afterwards.
inline ProcessResult RunProcess(const std::filesystem::path& dir, const std::vector<std::string>& argv,
                                const std::optional<std::string>& stdin_text = std::nullopt) {
  const auto out_file = dir / ".proc-stdout";
  const auto err_file = dir / ".proc-stderr";
  const auto in_file = dir / ".proc-stdin";
  std::string cmd = "cd " + ShellQuote(dir.string()) + " && exec";
  for (const auto& a : argv) cmd += " " + ShellQuote(a);
  cmd += " >" + ShellQuote(out_file.string()) + " 2>" + ShellQuote(err_file.string());
  if (stdin_text) {
    WriteFile(in_file, *stdin_text);
    cmd += " <" + ShellQuote(in_file.string());
  } else {
    cmd += " </dev/null";
  }
  const int status = std::system(cmd.c_str());
  ProcessResult r;
  if (status == -1) throw std::runtime_error("cannot run: " + cmd);
  if (WIFEXITED(status))
    r.exit_code = WEXITSTATUS(status);
  else if (WIFSIGNALED(status))
    r.exit_code = 128 + WTERMSIG(status);
  std::error_code ec;
  if (std::filesystem::exists(out_file, ec)) r.out = ReadFile(out_file);
  if (std::filesystem::exists(err_file, ec)) r.err = ReadFile(err_file);
  std::filesystem::remove(out_file, ec);
  std::filesystem::remove(err_file, ec);
  std::filesystem::remove(in_file, ec);
  return r;
}

// Whether a program is on PATH (e.g. the stock sqlite3 shell).
inline bool OnPath(const std::string& program) {
  return std::system(("command -v " + ShellQuote(program) + " >/dev/null 2>&1").c_str()) == 0;
}

}  // namespace fluxstatus::testing
