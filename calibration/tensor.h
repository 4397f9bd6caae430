// Dense 3-index array used for benchmark tables (flows, payments, rates).
#pragma once

#include <cstddef>
#include <vector>

namespace ohlin {

// A dense array indexed (a, b, c) with the last index fastest. Small enough for GTAP-size
// worlds (65 x 160 x 160 doubles is 13 MB) and simple to reason about.
class Tensor3 {
 public:
  Tensor3() = default;
  Tensor3(std::size_t n0, std::size_t n1, std::size_t n2, double fill = 0.0)
      : n0_(n0), n1_(n1), n2_(n2), data_(n0 * n1 * n2, fill) {}

  double& operator()(std::size_t a, std::size_t b, std::size_t c) {
    return data_[(a * n1_ + b) * n2_ + c];
  }
  double operator()(std::size_t a, std::size_t b, std::size_t c) const {
    return data_[(a * n1_ + b) * n2_ + c];
  }
  std::size_t dim0() const { return n0_; }
  std::size_t dim1() const { return n1_; }
  std::size_t dim2() const { return n2_; }
  std::vector<double>& data() { return data_; }
  const std::vector<double>& data() const { return data_; }

 private:
  std::size_t n0_ = 0, n1_ = 0, n2_ = 0;
  std::vector<double> data_;
};

}  // namespace ohlin
