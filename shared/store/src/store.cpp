#include "ems/store/store.h"

#include <utility>

namespace ems::store {

Transaction::Transaction(Transaction&& other) noexcept : store_(other.store_) {
  other.store_ = nullptr;
}

Transaction::~Transaction() {
  if (store_ != nullptr) store_->RollbackTransaction();
}

void Transaction::Commit() {
  Store* store = std::exchange(store_, nullptr);
  try {
    store->CommitTransaction();
  } catch (...) {
    store->RollbackTransaction();
    throw;
  }
}

Transaction Store::Begin(TxMode mode) {
  BeginTransaction(mode);
  return Transaction(this);
}

}  // namespace ems::store
