// fake-git-host: the in-process test Git host (FakeGitHost) as a program, so a person or a
// shell script can stand it in for GitHub, GitLab, Gitea, Bitbucket or Azure DevOps on this
// machine (docs/quickstart.md does). Serves until SIGINT or SIGTERM; statuses live in memory.
#include <csignal>
#include <iostream>

#include <CLI/CLI.hpp>

#include "tests/support/fake_git_host.h"

int main(int argc, char** argv) {
  CLI::App cli{"fake-git-host: the test Git host (commit-status APIs of six hosts) on 127.0.0.1", "fake-git-host"};
  fluxstatus::testing::FakeGitHost::Options options;
  cli.add_option("--port", options.port, "port on 127.0.0.1 (default: any free port, printed)");
  cli.add_option("--token", options.token, "the token every API call must carry (default: none checked)");
  cli.add_option("--username", options.username, "the user Basic credentials must name");
  CLI11_PARSE(cli, argc, argv);

  // Block the stop signals before the server's threads start, so only sigwait sees them.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);
  try {
    fluxstatus::testing::FakeGitHost host(options);
    std::cout << "fake Git host listening on " << host.BaseUrl() << std::endl;
    int signal = 0;
    sigwait(&stop, &signal);
  } catch (const std::exception& e) {
    std::cerr << "fake-git-host: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
