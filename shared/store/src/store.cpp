#include "ems/store/store.h"

#include <algorithm>
#include <utility>

namespace ems::store {

Transaction::Transaction(Transaction&& other) noexcept
    : store_(std::exchange(other.store_, nullptr)), mode_(other.mode_) {}

Transaction::~Transaction() {
  if (store_ != nullptr) store_->Rollback(mode_);
}

void Transaction::Commit() {
  if (store_ == nullptr) {
    throw std::logic_error("This transaction was already committed or rolled back.");
  }
  Store* store = std::exchange(store_, nullptr);
  try {
    if (mode_ == TxMode::kWrite) {
      // Last enlisted first (reverse iterators: clang 14, which builds the fuzzers, cannot use
      // std::views::reverse with GCC 12's library).
      for (auto it = store->states_.rbegin(); it != store->states_.rend(); ++it) (*it)->Flush();
    }
    store->CommitTransaction();
  } catch (...) {
    store->Rollback(mode_);
    throw;
  }
}

Transaction Store::Begin(TxMode mode) {
  BeginTransaction(mode);
  if (mode == TxMode::kWrite) {
    try {
      for (auto* state : states_) state->Begin();
    } catch (...) {
      Rollback(mode);
      throw;
    }
  }
  return {this, mode};
}

void Store::Rollback(TxMode mode) noexcept {
  RollbackTransaction();
  if (mode == TxMode::kWrite) {
    for (auto* state : states_) state->Discard();
  }
}

void Store::Enlist(TransactionState& state) { states_.push_back(&state); }

void Store::Withdraw(TransactionState& state) { std::erase(states_, &state); }

}  // namespace ems::store
