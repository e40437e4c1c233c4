#include <list>
#include <string>
#include <unordered_map>

class LruCache {
 public:
  explicit LruCache(size_t capacity) : capacity_(capacity) {}

  bool get(const std::string &key, std::string *value) {
    auto found = index_.find(key);
    if (found == index_.end()) return false;
    *value = found->second;
    return true;
  }

  void put(const std::string &key, const std::string &value) { index_[key] = value; }

 private:
  size_t capacity_;
  std::unordered_map<std::string, std::string> index_;
};

int cached_lookup(LruCache &cache) {
  std::string value;
  return cache.get("k", &value) ? 1 : 0;
}
