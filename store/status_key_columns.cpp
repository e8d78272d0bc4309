#include "store/status_key_columns.h"

#include <SQLiteCpp/Column.h>

namespace fluxstatus::store {

void BindStatusKey(SQLite::Statement& q, const core::StatusKey& key) {
  q.bind(1, key.route);
  q.bind(2, key.repo);
  q.bind(3, key.commit_sha);
  q.bind(4, key.context);
}

core::StatusKey ReadStatusKey(SQLite::Statement& q) {
  return {q.getColumn(0).getString(), q.getColumn(1).getString(), q.getColumn(2).getString(),
          q.getColumn(3).getString()};
}

}  // namespace fluxstatus::store
