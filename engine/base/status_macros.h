// Helpers for code that returns absl::Status / absl::StatusOr.
//
// This Abseil (20220623) ships neither RETURN_IF_ERROR nor ASSIGN_OR_RETURN,
// so Tend defines its own once, here:
//
//   absl::Status Save(const Ritual& r) {
//     TEND_RETURN_IF_ERROR(Validate(r));
//     TEND_ASSIGN_OR_RETURN(std::string blob, Encode(r));
//     return store_.Put(r.id(), blob);
//   }
#ifndef TEND_ENGINE_BASE_STATUS_MACROS_H_
#define TEND_ENGINE_BASE_STATUS_MACROS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define TEND_STATUS_CONCAT_INNER_(a, b) a##b
#define TEND_STATUS_CONCAT_(a, b) TEND_STATUS_CONCAT_INNER_(a, b)

// TEND_RETURN_IF_ERROR
//
// Evaluates `expr`, an absl::Status, and returns it from the enclosing
// function when it is not OK.
#define TEND_RETURN_IF_ERROR(expr)               \
  do {                                           \
    const ::absl::Status tend_status_ = (expr);  \
    if (!tend_status_.ok()) return tend_status_; \
  } while (0)

// TEND_ASSIGN_OR_RETURN
//
// Evaluates `rexpr`, an absl::StatusOr<T>; returns its status when not OK,
// otherwise moves the value into `lhs`, which may declare a variable.
#define TEND_ASSIGN_OR_RETURN(lhs, rexpr)                                    \
  TEND_ASSIGN_OR_RETURN_IMPL_(TEND_STATUS_CONCAT_(tend_statusor_, __LINE__), \
                              lhs, rexpr)
#define TEND_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, rexpr) \
  auto statusor = (rexpr);                                \
  if (!statusor.ok()) return statusor.status();           \
  lhs = std::move(statusor).value()

#endif  // TEND_ENGINE_BASE_STATUS_MACROS_H_
