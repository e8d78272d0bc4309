// The four columns that name a status key (route, repo, commit_sha, context), which every
// table keyed by it puts first, in that order: one binder and one reader serve them all.
#pragma once

#include <SQLiteCpp/Statement.h>

#include "core/commit_status.h"

namespace fluxstatus::store {

// Binds the key to parameters 1-4 of `q`.
void BindStatusKey(SQLite::Statement& q, const core::StatusKey& key);
// The key in columns 0-3 of `q`'s current row.
core::StatusKey ReadStatusKey(SQLite::Statement& q);

}  // namespace fluxstatus::store
