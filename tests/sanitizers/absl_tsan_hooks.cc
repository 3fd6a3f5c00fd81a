// absl_tsan_hooks: lets ThreadSanitizer see absl::Mutex in Debian's libabsl.
//
// absl::Mutex does not use pthread mutexes, so TSan learns about it only
// through the annotations absl compiles in when absl itself is built with
// -fsanitize=thread. Debian's libabsl is not, and without them every access
// guarded by an absl::Mutex (ours, gRPC's, absl::Notification's) is reported
// as a race; tests/sanitizers/README.md shows the two-thread probe.
//
// This file gives the annotations back without building absl: it defines
// absl's own out-of-line Mutex, CondVar and Notification entry points in the
// test executable, which the dynamic linker then prefers over libabsl's
// (for gRPC's and libabsl's own calls too, since they go through the PLT;
// the TSan build links with -rdynamic to be sure). Each one tells TSan what
// absl's TSan build would (__tsan_mutex_pre_lock and friends, from
// <sanitizer/tsan_interface.h>) and calls the real function, found with
// dlsym(RTLD_NEXT). Nothing is suppressed: a race on data that is not
// guarded by the same absl::Mutex is still reported, and TSan also checks
// lock order and double unlocks.
//
// Linked into every executable of a TEND_SANITIZE=thread build by the
// top-level CMakeLists.txt; never into anything else.
#include <dlfcn.h>
#include <sanitizer/tsan_interface.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "absl/base/options.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"

static_assert(ABSL_OPTION_USE_INLINE_NAMESPACE == 1,
              "the mangled names below assume absl's inline namespace");

namespace {

#define TEND_TSAN_STR2(x) #x
#define TEND_TSAN_STR(x) TEND_TSAN_STR2(x)

// Real()
//
// libabsl's definition of the function whose mangled name is `prefix`
// ("_ZN" or "_ZNK"), then "4absl", absl's inline namespace, then `rest`.
template <typename F>
F Real(const char* prefix, const char* rest) {
  const char* ns = TEND_TSAN_STR(ABSL_OPTION_INLINE_NAMESPACE_NAME);
  const std::string name = std::string(prefix) + "4absl" +
                           std::to_string(std::strlen(ns)) + ns + rest;
  void* real = dlsym(RTLD_NEXT, name.c_str());
  if (real == nullptr) {
    std::fprintf(stderr, "absl_tsan_hooks: no %s in libabsl\n", name.c_str());
    std::abort();
  }
  return reinterpret_cast<F>(real);
}

void PreLock(void* mu, unsigned flags) { __tsan_mutex_pre_lock(mu, flags); }
void PostLock(void* mu, unsigned flags) {
  __tsan_mutex_post_lock(mu, flags, 0);
}
void PreUnlock(void* mu, unsigned flags) { __tsan_mutex_pre_unlock(mu, flags); }
void PostUnlock(void* mu, unsigned flags) {
  __tsan_mutex_post_unlock(mu, flags);
}

// Waiting(mu, call): for a wait that releases `mu`, blocks, takes `mu`
// again and, holding it, evaluates the condition. TSan ignores memory
// accesses between pre_lock and post_lock, so the condition's reads (made
// while the real mutex is held) are not mistaken for unguarded ones.
template <typename Call>
bool Waiting(void* mu, Call call) {
  __tsan_mutex_pre_unlock(mu, 0);
  __tsan_mutex_post_unlock(mu, 0);
  __tsan_mutex_pre_lock(mu, 0);
  const bool result = call();
  __tsan_mutex_post_lock(mu, 0, 0);
  return result;
}

constexpr unsigned kWriter = 0;
constexpr unsigned kReader = __tsan_mutex_read_lock;

}  // namespace

// The libraries TSan must not watch through its interceptors: gRPC and
// Abseil. They are not instrumented, so TSan cannot see how they
// synchronize internally (gRPC's lock-free queues, absl's internal
// SpinLocks), yet it sees their memcpy, new and delete calls: gRPC hands
// our serialized messages and absl::Status payloads to its own threads,
// absl's random pool, deadlock graph and time zone cache share buffers
// between threads.
// (TSan wants each pattern to name exactly one library, hence the list.)
// called_from_lib ignores only what those libraries do themselves (TSan's
// mechanism for uninstrumented libraries); every access our code makes, on
// any thread, gRPC's included, is still checked.
extern "C" const char* __tsan_default_suppressions() {
  return "called_from_lib:libgrpc.so\n"
         "called_from_lib:libgrpc++.so\n"
         "called_from_lib:libgpr.so\n"
         "called_from_lib:libabsl_status.so\n"
         "called_from_lib:libabsl_statusor.so\n"
         "called_from_lib:libabsl_cord.so\n"
         "called_from_lib:libabsl_cord_internal.so\n"
         "called_from_lib:libabsl_cordz_info.so\n"
         "called_from_lib:libabsl_cordz_handle.so\n"
         "called_from_lib:libabsl_random_internal_pool_urbg.so\n"
         "called_from_lib:libabsl_graphcycles_internal.so\n"
         "called_from_lib:libabsl_synchronization.so\n"
         "called_from_lib:libabsl_malloc_internal.so\n"
         "called_from_lib:libabsl_time_zone.so\n"
         "called_from_lib:libabsl_hashtablez_sampler.so\n";
}

namespace absl {
ABSL_NAMESPACE_BEGIN

// --- Mutex: lock and unlock. (~Mutex is left alone: gRPC frees its
// mutexes after reference counting TSan cannot see, so a destroy
// annotation would race with the last unlock. TSan forgets a mutex when
// its memory is freed, and absl's inline constructor registers a new one.)

void Mutex::Lock() {
  static auto real = Real<void (*)(Mutex*)>("_ZN", "5Mutex4LockEv");
  PreLock(this, kWriter);
  real(this);
  PostLock(this, kWriter);
}

void Mutex::ReaderLock() {
  static auto real = Real<void (*)(Mutex*)>("_ZN", "5Mutex10ReaderLockEv");
  PreLock(this, kReader);
  real(this);
  PostLock(this, kReader);
}

void Mutex::Unlock() {
  static auto real = Real<void (*)(Mutex*)>("_ZN", "5Mutex6UnlockEv");
  PreUnlock(this, kWriter);
  real(this);
  PostUnlock(this, kWriter);
}

void Mutex::ReaderUnlock() {
  static auto real = Real<void (*)(Mutex*)>("_ZN", "5Mutex12ReaderUnlockEv");
  PreUnlock(this, kReader);
  real(this);
  PostUnlock(this, kReader);
}

bool Mutex::TryLock() {
  static auto real = Real<bool (*)(Mutex*)>("_ZN", "5Mutex7TryLockEv");
  PreLock(this, __tsan_mutex_try_lock);
  const bool locked = real(this);
  __tsan_mutex_post_lock(
      this, __tsan_mutex_try_lock | (locked ? 0 : __tsan_mutex_try_lock_failed),
      0);
  return locked;
}

bool Mutex::ReaderTryLock() {
  static auto real = Real<bool (*)(Mutex*)>("_ZN", "5Mutex13ReaderTryLockEv");
  const unsigned flags = kReader | __tsan_mutex_try_lock;
  PreLock(this, flags);
  const bool locked = real(this);
  __tsan_mutex_post_lock(
      this, flags | (locked ? 0 : __tsan_mutex_try_lock_failed), 0);
  return locked;
}

// --- Mutex: lock when a condition holds. Each returns with the mutex held.
// The ...WithTimeout variants are not defined here: libabsl's call the
// ...WithDeadline ones through the PLT, which lands below.

void Mutex::LockWhen(const Condition& cond) {
  static auto real = Real<void (*)(Mutex*, const Condition&)>(
      "_ZN", "5Mutex8LockWhenERKNS0_9ConditionE");
  PreLock(this, kWriter);
  real(this, cond);
  PostLock(this, kWriter);
}

void Mutex::ReaderLockWhen(const Condition& cond) {
  static auto real = Real<void (*)(Mutex*, const Condition&)>(
      "_ZN", "5Mutex14ReaderLockWhenERKNS0_9ConditionE");
  PreLock(this, kReader);
  real(this, cond);
  PostLock(this, kReader);
}

bool Mutex::LockWhenWithDeadline(const Condition& cond, absl::Time deadline) {
  static auto real = Real<bool (*)(Mutex*, const Condition&, absl::Time)>(
      "_ZN", "5Mutex20LockWhenWithDeadlineERKNS0_9ConditionENS0_4TimeE");
  PreLock(this, kWriter);
  const bool met = real(this, cond, deadline);
  PostLock(this, kWriter);
  return met;
}

bool Mutex::ReaderLockWhenWithDeadline(const Condition& cond,
                                       absl::Time deadline) {
  static auto real = Real<bool (*)(Mutex*, const Condition&, absl::Time)>(
      "_ZN", "5Mutex26ReaderLockWhenWithDeadlineERKNS0_9ConditionENS0_4TimeE");
  PreLock(this, kReader);
  const bool met = real(this, cond, deadline);
  PostLock(this, kReader);
  return met;
}

// --- Mutex: wait, holding it, until a condition holds.

void Mutex::Await(const Condition& cond) {
  static auto real = Real<void (*)(Mutex*, const Condition&)>(
      "_ZN", "5Mutex5AwaitERKNS0_9ConditionE");
  Waiting(this, [&] {
    real(this, cond);
    return true;
  });
}

bool Mutex::AwaitWithDeadline(const Condition& cond, absl::Time deadline) {
  static auto real = Real<bool (*)(Mutex*, const Condition&, absl::Time)>(
      "_ZN", "5Mutex17AwaitWithDeadlineERKNS0_9ConditionENS0_4TimeE");
  return Waiting(this, [&] { return real(this, cond, deadline); });
}

// --- CondVar: the wait releases `mu` and takes it again. (WaitWithTimeout
// calls WaitWithDeadline through the PLT.)

void CondVar::Wait(Mutex* mu) {
  static auto real =
      Real<void (*)(CondVar*, Mutex*)>("_ZN", "7CondVar4WaitEPNS0_5MutexE");
  Waiting(mu, [&] {
    real(this, mu);
    return true;
  });
}

bool CondVar::WaitWithDeadline(Mutex* mu, absl::Time deadline) {
  static auto real = Real<bool (*)(CondVar*, Mutex*, absl::Time)>(
      "_ZN", "7CondVar16WaitWithDeadlineEPNS0_5MutexENS0_4TimeE");
  return Waiting(mu, [&] { return real(this, mu, deadline); });
}

// --- Notification: a wait that finds it already notified takes no lock,
// so Notify() publishes to the waiters directly.

void Notification::Notify() {
  static auto real =
      Real<void (*)(Notification*)>("_ZN", "12Notification6NotifyEv");
  __tsan_release(this);
  real(this);
}

void Notification::WaitForNotification() const {
  static auto real = Real<void (*)(const Notification*)>(
      "_ZNK", "12Notification19WaitForNotificationEv");
  real(this);
  __tsan_acquire(const_cast<Notification*>(this));
}

bool Notification::WaitForNotificationWithTimeout(
    absl::Duration timeout) const {
  static auto real = Real<bool (*)(const Notification*, absl::Duration)>(
      "_ZNK", "12Notification30WaitForNotificationWithTimeoutENS0_8DurationE");
  const bool notified = real(this, timeout);
  if (notified) __tsan_acquire(const_cast<Notification*>(this));
  return notified;
}

bool Notification::WaitForNotificationWithDeadline(absl::Time deadline) const {
  static auto real = Real<bool (*)(const Notification*, absl::Time)>(
      "_ZNK", "12Notification31WaitForNotificationWithDeadlineENS0_4TimeE");
  const bool notified = real(this, deadline);
  if (notified) __tsan_acquire(const_cast<Notification*>(this));
  return notified;
}

ABSL_NAMESPACE_END
}  // namespace absl
