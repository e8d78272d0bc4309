// The X-Signature of each wire sample (tests/fixtures/samples/wire) under the samples' HMAC key,
// as flux-notification-controller.md §8 tables them: tests compare against these, never against
// a signature they compute themselves.
#pragma once

#include <array>
#include <string_view>
#include <utility>

namespace fluxstatus::testing {

inline constexpr std::string_view kWireSampleHmacKey = "fluxstatus-test-hmac-key";

// clang-format off
inline constexpr std::array<std::pair<std::string_view, std::string_view>, 12> kWireSampleSignatures{{

    {"01-direct-kustomization-reconciliation-succeeded.json",
     "sha256=466f34c1da354d65fc1daaa55106cb0987e8bab64f403b87d7bc7936f199dade"},
    {"02-forwarded-kustomization-reconciliation-succeeded.json",
     "sha256=625b5e3631ed2b207da36c7f3a2a208428d0b5fd4098e9a59031d802dfc369e2"},
    {"03-direct-kustomization-progressing-changeset.json",
     "sha256=7e22f11a68e09a62973a3ae648742db44e00146a8d4b10123c4520a62c793b18"},
    {"04-direct-kustomization-health-check-failed.json",
     "sha256=bf5033e8cd1b0701c904e91b1bd8521ea387a20225ade8100b1141bba925c831"},
    {"05-direct-kustomization-oci-origin-revision.json",
     "sha256=6ed85bc0d98b896a876fff2540ef29f026f2907bc3568280ada11cc31025976c"},
    {"06-direct-gitrepository-new-artifact-nested-branch.json",
     "sha256=88c0ba2f8e84e341da3b0eafab9fae1ce8880af0640c26fee5e7e9909eed8e38"},
    {"07-direct-gitrepository-git-operation-failed-no-metadata.json",
     "sha256=5817b3ca8cea01face1402de5e3ab8fc77fbd4e9f53dfa4c52dab0bdb0fd38c5"},
    {"08-direct-ocirepository-new-artifact.json",
     "sha256=eef4b80efa7c46ae874e8c5fbc2841650245edcbc186edfb56629551d8b38a66"},
    {"09-direct-helmrelease-upgrade-succeeded-commit-annotation.json",
     "sha256=7086189821afec9013408747e18fc2d1186b1b82046a873c24216da2726f3a5b"},
    {"10-direct-helmrelease-install-failed-unicode.json",
     "sha256=3731570f2655b1e3d2f89c06bb1d06d93b5171c5c2a02b6f3de5c974bae65f44"},
    {"11-direct-kustomization-reconciliation-failed-long-message.json",
     "sha256=fff4ce56a38b5561560c8c2d39a53d11989a7426296e1f9da6dd6eefceb196d9"},
    {"12-direct-kustomization-build-failed-sha1-only-revision.json",
     "sha256=71e6e0d2d9de6c9a0e24257f511fc4e9375dbeeeaed1920ffcef4f6b0073ebe8"},
}};
// clang-format on

}  // namespace fluxstatus::testing
