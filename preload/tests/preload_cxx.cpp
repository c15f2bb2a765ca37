// preload/tests/preload_cxx.cpp: the C++ standard library's locks on the
// preload (preload/test.sh runs it under every LATCHKIT_LOCK). libstdc++
// reaches pthreads through its own wrappers: std::mutex (static init),
// std::recursive_mutex (glibc's recursive initializer: passed through),
// std::timed_mutex (pthread_mutex_clocklock / timedlock),
// std::condition_variable (pthread_cond_wait, and pthread_cond_clockwait
// for steady_clock waits), std::shared_mutex (pthread_rwlock_*).
// Exits 0 when every check held.
#include <pthread.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <shared_mutex>
#include <thread>
#include <vector>

static int failures;
#define CHECK(c)                                                               \
	do {                                                                   \
		if (!(c)) {                                                    \
			std::fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__,     \
				     __LINE__, #c);                            \
			failures++;                                            \
		}                                                              \
	} while (0)

using namespace std::chrono;

int main()
{
	// std::mutex under contention
	std::mutex m;
	long n = 0;
	{
		std::vector<std::thread> ts;
		for (int i = 0; i < 4; i++)
			ts.emplace_back([&] {
				for (int k = 0; k < 20000; k++) {
					std::lock_guard<std::mutex> g(m);
					n++;
				}
			});
		for (auto &t : ts)
			t.join();
	}
	CHECK(n == 80000);

	// recursive_mutex: glibc's, through the preload
	std::recursive_mutex rm;
	rm.lock();
	CHECK(rm.try_lock());
	rm.unlock();
	rm.unlock();

	// timed_mutex times out while held by another thread
	std::timed_mutex tm;
	tm.lock();
	std::thread([&] {
		auto t0 = steady_clock::now();
		CHECK(!tm.try_lock_for(milliseconds(40)));
		CHECK(steady_clock::now() - t0 >= milliseconds(35));
		CHECK(!tm.try_lock_until(system_clock::now() + milliseconds(20)));
	}).join();
	tm.unlock();
	CHECK(tm.try_lock_for(milliseconds(10)));
	tm.unlock();

	// condition_variable: handshake, wait_for timing out, broadcast
	std::condition_variable cv;
	int stage = 0, woke = 0;
	std::thread a([&] {
		std::unique_lock<std::mutex> l(m);
		cv.wait(l, [&] { return stage == 1; });
		stage = 2;
		cv.notify_all();
	});
	{
		std::unique_lock<std::mutex> l(m);
		stage = 1;
		cv.notify_one();
		CHECK(cv.wait_for(l, seconds(10), [&] { return stage == 2; }));
		auto t0 = steady_clock::now();
		CHECK(cv.wait_for(l, milliseconds(30)) == std::cv_status::timeout);
		CHECK(steady_clock::now() - t0 >= milliseconds(25));
	}
	a.join();
	{
		std::vector<std::thread> ts;
		bool go = false;
		for (int i = 0; i < 4; i++)
			ts.emplace_back([&] {
				std::unique_lock<std::mutex> l(m);
				cv.wait(l, [&] { return go; });
				woke++;
			});
		std::this_thread::sleep_for(milliseconds(20));
		{
			std::lock_guard<std::mutex> g(m);
			go = true;
		}
		cv.notify_all();
		for (auto &t : ts)
			t.join();
	}
	CHECK(woke == 4);

	// shared_mutex: readers share, a writer excludes
	std::shared_mutex sm;
	long x = 0, y = 0, bad = 0;
	{
		std::vector<std::thread> ts;
		for (int i = 0; i < 4; i++)
			ts.emplace_back([&, i] {
				for (int k = 0; k < 10000; k++) {
					if ((k + i) % 8 == 0) {
						std::unique_lock<std::shared_mutex> w(sm);
						x++;
						y++;
					} else {
						std::shared_lock<std::shared_mutex> r(sm);
						if (x != y)
							__atomic_fetch_add(&bad, 1, __ATOMIC_RELAXED);
					}
				}
			});
		for (auto &t : ts)
			t.join();
	}
	CHECK(bad == 0 && x == y && x > 0);
	sm.lock_shared();
	std::thread([&] {
		CHECK(sm.try_lock_shared());
		sm.unlock_shared();
		CHECK(!sm.try_lock());
	}).join();
	sm.unlock_shared();

	if (failures) {
		std::fprintf(stderr, "%d checks failed\n", failures);
		return 1;
	}
	std::printf("ok\n");
	return 0;
}
