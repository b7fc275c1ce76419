package gpu

import (
	"fmt"
	"strings"

	"github.com/gradbook/gradbook/dl/cpu"
)

// The CUDA C source of every kernel, compiled by NVRTC once per process
// and dtype: the source is prefixed with "typedef float T;" or
// "typedef double T;". Elementwise kernels walk the elements with a
// grid-stride loop; reductions give one block to each output or row and
// add in double in a fixed order, so results do not change from run to
// run. Shapes reach the kernels merged to at most maxRank axes, as
// separate int arguments.

// maxRank is the number of axes the strided kernels take.
const maxRank = 6

// kernelSource returns the source for dtype name "float" or "double".
func kernelSource(typ string) string {
	return "typedef " + typ + " T;\n" + strings.ReplaceAll(kernelsCU, "ELEMENTWISE_OPS", elementwiseSource())
}

// The elementwise kernels, keyed by package cpu's op codes, whose loops
// they match: each expression becomes a kernel named by its prefix and
// the code's String ("unary_exp", "grad_exp", "binary_add"). A code with
// no entry has no kernel here, and the backend declines it.
var (
	// unaryExprs compute y from a.
	unaryExprs = map[cpu.UnaryOp]string{
		cpu.Neg:      "-a",
		cpu.Exp:      "(T)exp((double)a)",
		cpu.Log:      "(T)log((double)a)",
		cpu.Tanh:     "(T)tanh((double)a)",
		cpu.Sigmoid:  "(T)sigmoid_d((double)a)",
		cpu.ReLU:     "a > (T)0 ? a : (a != a ? a : (T)0)",
		cpu.Sqrt:     "(T)sqrt((double)a)",
		cpu.Abs:      "a < (T)0 ? -a : (a == (T)0 ? (T)0 : a)",
		cpu.Square:   "a * a",
		cpu.Softplus: "(T)(fmax((double)a, 0.0) + log1p(exp(-fabs((double)a))))",
	}
	// gradExprs compute g·f′ from g and v, the op's input or output as
	// the code's ReadsOutput says.
	gradExprs = map[cpu.GradOp]string{
		cpu.ExpGrad:      "g * v",
		cpu.TanhGrad:     "g * ((T)1 - v * v)",
		cpu.SigmoidGrad:  "g * (v * ((T)1 - v))",
		cpu.ReLUGrad:     "g * (v > (T)0 ? (T)1 : (T)0)",
		cpu.SqrtGrad:     "g * (T)(0.5 / (double)v)",
		cpu.AbsGrad:      "g * (v > (T)0 ? (T)1 : (v < (T)0 ? (T)-1 : (T)0))",
		cpu.SquareGrad:   "g * ((T)2 * v)",
		cpu.LogGrad:      "g / v",
		cpu.SoftplusGrad: "g * (T)sigmoid_d((double)v)",
	}
	// binaryExprs compute the result from a and b.
	binaryExprs = map[cpu.BinaryOp]string{
		cpu.Add: "a + b",
		cpu.Sub: "a - b",
		cpu.Mul: "a * b",
		cpu.Div: "a / b",
	}
)

func unaryKernel(op cpu.UnaryOp) string   { return "unary_" + op.String() }
func gradKernel(op cpu.GradOp) string     { return "grad_" + op.String() }
func binaryKernel(op cpu.BinaryOp) string { return "binary_" + op.String() }

// elementwiseSource instantiates the kernel macros for the tables above,
// in the codes' order.
func elementwiseSource() string {
	var b strings.Builder
	for _, op := range cpu.UnaryOps() {
		if e, ok := unaryExprs[op]; ok {
			fmt.Fprintf(&b, "UNARY(%s, %s)\n", op, e)
		}
	}
	for _, op := range cpu.GradOps() {
		if e, ok := gradExprs[op]; ok {
			fmt.Fprintf(&b, "GRAD(%s, %s)\n", op, e)
		}
	}
	for _, op := range cpu.BinaryOps() {
		if e, ok := binaryExprs[op]; ok {
			fmt.Fprintf(&b, "BINARY(%s, %s)\n", op, e)
		}
	}
	return b.String()
}

const kernelsCU = `
// Indices are 32-bit: the backend sends no tensor of 2^30 elements or
// more here, and 64-bit division costs a GPU several times 32-bit's.
#define LOOP(i, n) for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < (n); i += blockDim.x * gridDim.x)
#define DIMS int rank, int d0, int d1, int d2, int d3, int d4, int d5
#define STRIDES(p) int p##0, int p##1, int p##2, int p##3, int p##4, int p##5

__device__ __forceinline__ double sigmoid_d(double v) {
	if (v >= 0) return 1.0 / (1.0 + exp(-v));
	double e = exp(v);
	return e / (1.0 + e);
}

// offsetOf returns the strided offset of row-major element i of shape d.
// (The outermost axis needs no division: what is left of i is its index.)
// The loop runs over the fixed 6 axes so that it unrolls and d and s,
// indexed by constants, stay in registers instead of local memory.
__device__ __forceinline__ int offsetOf(int i, int rank, const int* d, const int* s) {
	int off = 0;
#pragma unroll
	for (int k = 5; k > 0; k--) {
		if (k < rank) {
			int q = i / d[k];
			off += (i - q * d[k]) * s[k];
			i = q;
		}
	}
	return rank > 0 ? off + i * s[0] : 0;
}

#define UNARY(name, expr) \
extern "C" __global__ void unary_##name(T* dst, const T* x, int n) { \
	LOOP(i, n) { T a = x[i]; dst[i] = (expr); } \
}
#define GRAD(name, expr) \
extern "C" __global__ void grad_##name(T* dst, const T* gs, const T* vs, int n) { \
	LOOP(i, n) { T g = gs[i]; T v = vs[i]; dst[i] = (expr); } \
}
#define BINARY(name, expr) \
extern "C" __global__ void binary_##name(T* dst, const T* as, const T* bs, int n) { \
	LOOP(i, n) { T a = as[i]; T b = bs[i]; dst[i] = (expr); } \
} \
extern "C" __global__ void binary_##name##_strided(T* dst, const T* as, const T* bs, int n, DIMS, STRIDES(sa), STRIDES(sb)) { \
	const int d[6] = {d0, d1, d2, d3, d4, d5}; \
	const int sa[6] = {sa0, sa1, sa2, sa3, sa4, sa5}; \
	const int sb[6] = {sb0, sb1, sb2, sb3, sb4, sb5}; \
	LOOP(i, n) { T a = as[offsetOf(i, rank, d, sa)]; T b = bs[offsetOf(i, rank, d, sb)]; dst[i] = (expr); } \
} \
extern "C" __global__ void binary_##name##_3d(T* dst, const T* as, const T* bs, int d1, int d2, \
		int sa0, int sa1, int sa2, int sb0, int sb1, int sb2) { \
	int k = blockIdx.x * blockDim.x + threadIdx.x; \
	if (k >= d2) return; \
	int i = blockIdx.z, j = blockIdx.y; \
	T a = as[i * sa0 + j * sa1 + k * sa2]; T b = bs[i * sb0 + j * sb1 + k * sb2]; \
	dst[(i * d1 + j) * d2 + k] = (expr); \
}

ELEMENTWISE_OPS

extern "C" __global__ void fill(T* dst, double v, int n) {
	LOOP(i, n) dst[i] = (T)v;
}

extern "C" __global__ void to_float(float* dst, const T* src, int n) {
	LOOP(i, n) dst[i] = (float)src[i];
}

extern "C" __global__ void to_double(double* dst, const T* src, int n) {
	LOOP(i, n) dst[i] = (double)src[i];
}

extern "C" __global__ void add_scaled(T* dst, double alpha, const T* x, int n) {
	LOOP(i, n) dst[i] = (T)((double)dst[i] + alpha * (double)x[i]);
}

extern "C" __global__ void div_scalar(T* dst, double c, int n) {
	LOOP(i, n) dst[i] = (T)((double)dst[i] / c);
}

extern "C" __global__ void gather(T* dst, const T* src, int n, int offset, DIMS, STRIDES(s)) {
	const int d[6] = {d0, d1, d2, d3, d4, d5};
	const int st[6] = {s0, s1, s2, s3, s4, s5};
	LOOP(i, n) dst[i] = src[offset + offsetOf(i, rank, d, st)];
}

// gather_3d is gather for shapes of at most three axes, the outer two on
// the grid: no division per element.
extern "C" __global__ void gather_3d(T* dst, const T* src, int offset, int d1, int d2, int s0, int s1, int s2) {
	int k = blockIdx.x * blockDim.x + threadIdx.x;
	if (k >= d2) return;
	int i = blockIdx.z, j = blockIdx.y;
	dst[(i * d1 + j) * d2 + k] = src[offset + i * s0 + j * s1 + k * s2];
}

// scatter writes (add = 0) or adds src into dst; the strides address
// distinct elements, so no two threads meet.
extern "C" __global__ void scatter(T* dst, const T* src, int n, int offset, int add, DIMS, STRIDES(s)) {
	const int d[6] = {d0, d1, d2, d3, d4, d5};
	const int st[6] = {s0, s1, s2, s3, s4, s5};
	LOOP(i, n) {
		int o = offset + offsetOf(i, rank, d, st);
		dst[o] = add ? dst[o] + src[i] : src[i];
	}
}

// blockSum returns the sum of v over the block (blockDim.x a power of two
// up to 1024) to every thread, in a fixed order.
__device__ double blockSum(double v) {
	__shared__ double part[1024];
	__syncthreads();
	part[threadIdx.x] = v;
	__syncthreads();
	for (int s = blockDim.x / 2; s > 0; s >>= 1) {
		if (threadIdx.x < s) part[threadIdx.x] += part[threadIdx.x + s];
		__syncthreads();
	}
	return part[0];
}

__device__ double blockMax(double v) {
	__shared__ double part[1024];
	__syncthreads();
	part[threadIdx.x] = v;
	__syncthreads();
	for (int s = blockDim.x / 2; s > 0; s >>= 1) {
		if (threadIdx.x < s) part[threadIdx.x] = fmax(part[threadIdx.x], part[threadIdx.x + s]);
		__syncthreads();
	}
	return part[0];
}

// reduce_sum: one block per output element (kept axes od/os), summing the
// nred elements of the reduced axes (rd/rs) in double.
extern "C" __global__ void reduce_sum(T* dst, const T* src, int nout, int nred,
		int orank, int od0, int od1, int od2, int od3, int os0, int os1, int os2, int os3,
		int rrank, int rd0, int rd1, int rd2, int rd3, int rs0, int rs1, int rs2, int rs3) {
	const int od[6] = {od0, od1, od2, od3, 1, 1}, os[6] = {os0, os1, os2, os3, 0, 0};
	const int rd[6] = {rd0, rd1, rd2, rd3, 1, 1}, rs[6] = {rs0, rs1, rs2, rs3, 0, 0};
	for (int o = blockIdx.x; o < nout; o += gridDim.x) {
		int base = offsetOf(o, orank, od, os);
		double acc = 0;
		for (int r = threadIdx.x; r < nred; r += blockDim.x) acc += (double)src[base + offsetOf(r, rrank, rd, rs)];
		acc = blockSum(acc);
		if (threadIdx.x == 0) dst[o] = (T)acc;
	}
}

// reduce_sum_parts is reduce_sum for few outputs over many elements: each
// output's elements are split into chunks, one block per chunk, and
// reduce_parts adds each output's chunks (in order) after.
extern "C" __global__ void reduce_sum_parts(double* part, const T* src, int nout, int nred, int chunks,
		int orank, int od0, int od1, int od2, int od3, int os0, int os1, int os2, int os3,
		int rrank, int rd0, int rd1, int rd2, int rd3, int rs0, int rs1, int rs2, int rs3) {
	const int od[6] = {od0, od1, od2, od3, 1, 1}, os[6] = {os0, os1, os2, os3, 0, 0};
	const int rd[6] = {rd0, rd1, rd2, rd3, 1, 1}, rs[6] = {rs0, rs1, rs2, rs3, 0, 0};
	int per = (nred + chunks - 1) / chunks;
	for (int b = blockIdx.x; b < nout * chunks; b += gridDim.x) {
		int o = b / chunks, lo = (b - o * chunks) * per, hi = min(lo + per, nred);
		int base = offsetOf(o, orank, od, os);
		double acc = 0;
		for (int r = lo + threadIdx.x; r < hi; r += blockDim.x) acc += (double)src[base + offsetOf(r, rrank, rd, rs)];
		acc = blockSum(acc);
		if (threadIdx.x == 0) part[b] = acc;
	}
}

extern "C" __global__ void reduce_parts(T* dst, const double* part, int nout, int chunks) {
	for (int o = blockIdx.x; o < nout; o += gridDim.x) {
		double acc = 0;
		for (int c = threadIdx.x; c < chunks; c += blockDim.x) acc += part[o * chunks + c];
		acc = blockSum(acc);
		if (threadIdx.x == 0) dst[o] = (T)acc;
	}
}

// gemm_tiled: C = op(A)·op(B) + beta·C (+ bias[col]) for the small products, where
// cuBLAS's own host-side work costs more than the product: 16×16 tiles
// through shared memory, one output per thread, the batch along z.
#define TILE 16
extern "C" __global__ void gemm_tiled(int tA, int tB, int m, int n, int k, const T* A, int lda, int sA,
		const T* B, int ldb, int sB, double beta, T* C, int ldc, int sC, const T* bias) {
	__shared__ T As[TILE][TILE + 1];
	__shared__ T Bs[TILE][TILE + 1];
	A += blockIdx.z * sA;
	B += blockIdx.z * sB;
	C += blockIdx.z * sC;
	int row = blockIdx.y * TILE + threadIdx.y, col = blockIdx.x * TILE + threadIdx.x;
	T acc = 0;
	for (int t = 0; t < k; t += TILE) {
		int ka = t + threadIdx.x, kb = t + threadIdx.y;
		As[threadIdx.y][threadIdx.x] = (row < m && ka < k) ? (tA ? A[ka * lda + row] : A[row * lda + ka]) : (T)0;
		Bs[threadIdx.y][threadIdx.x] = (kb < k && col < n) ? (tB ? B[col * ldb + kb] : B[kb * ldb + col]) : (T)0;
		__syncthreads();
		for (int i = 0; i < TILE; i++) acc += As[threadIdx.y][i] * Bs[i][threadIdx.x];
		__syncthreads();
	}
	if (row < m && col < n) {
		T* c = C + row * ldc + col;
		if (beta != 0) acc += (T)beta * *c;
		*c = bias ? acc + bias[col] : acc;
	}
}

// Rows: x seen as [outer n inner]; row r = (o, in) holds elements
// o*n*inner + in + j*inner, j < n. One block per row.
#define ROW_BASE(r) ((r) / inner * n * inner + (r) % inner)

extern "C" __global__ void softmax_rows(T* dst, const T* x, int outer, int n, int inner, int logsm) {
	for (int r = blockIdx.x; r < outer * inner; r += gridDim.x) {
		int b = ROW_BASE(r);
		double m = -1.0 / 0.0;
		for (int j = threadIdx.x; j < n; j += blockDim.x) m = fmax(m, (double)x[b + j * inner]);
		m = blockMax(m);
		if (isinf(m)) m = 0;
		double s = 0;
		for (int j = threadIdx.x; j < n; j += blockDim.x) s += exp((double)x[b + j * inner] - m);
		s = blockSum(s);
		for (int j = threadIdx.x; j < n; j += blockDim.x) {
			double v = (double)x[b + j * inner] - m;
			dst[b + j * inner] = (T)(logsm ? v - log(s) : exp(v) / s);
		}
	}
}

extern "C" __global__ void softmax_grad_rows(T* dst, const T* g, const T* y, int outer, int n, int inner, int logsm) {
	for (int r = blockIdx.x; r < outer * inner; r += gridDim.x) {
		int b = ROW_BASE(r);
		double s = 0;
		for (int j = threadIdx.x; j < n; j += blockDim.x) {
			int k = b + j * inner;
			s += logsm ? (double)g[k] : (double)g[k] * (double)y[k];
		}
		s = blockSum(s);
		for (int j = threadIdx.x; j < n; j += blockDim.x) {
			int k = b + j * inner;
			dst[k] = (T)(logsm ? (double)g[k] - exp((double)y[k]) * s : (double)y[k] * ((double)g[k] - s));
		}
	}
}

// cross_entropy: one block; each thread takes whole rows (log Σ exp and
// the row's loss in double), then the block adds the rows' losses.
extern "C" __global__ void cross_entropy(T* loss, double* lse, const T* x, const T* labels, int outer, int n, int inner) {
	int rows = outer * inner;
	double total = 0;
	for (int r = threadIdx.x; r < rows; r += blockDim.x) {
		int b = ROW_BASE(r);
		double m = -1.0 / 0.0;
		for (int j = 0; j < n; j++) m = fmax(m, (double)x[b + j * inner]);
		double shift = isinf(m) ? 0 : m;
		double s = 0;
		for (int j = 0; j < n; j++) s += exp((double)x[b + j * inner] - shift);
		double l = shift + log(s);
		lse[r] = l;
		double c = (double)labels[r];
		int k = (int)c;
		if (c != (double)k || k < 0 || k >= n) total += 0.0 / 0.0;
		else total += l - (double)x[b + k * inner];
	}
	total = blockSum(total);
	if (threadIdx.x == 0) loss[0] = (T)(total / (double)rows);
}

extern "C" __global__ void cross_entropy_grad(T* dst, const T* x, const T* labels, const double* lse, const T* g, int outer, int n, int inner) {
	int rows = outer * inner, total = rows * n;
	double scale = (double)g[0] / (double)rows;
	LOOP(i, total) {
		int o = i / (n * inner), rest = i - o * n * inner;
		int j = (int)(rest / inner);
		int r = o * inner + rest % inner;
		double p = exp((double)x[i] - lse[r]);
		if ((double)j == (double)labels[r]) p -= 1;
		dst[i] = (T)(scale * p);
	}
}

#define GEOM int N, int C, int H, int W, int KH, int KW, int S, int P, int OH, int OW

// im2col: cols [C·KH·KW, N·OH·OW]; the grid's z is the row (c, ki, kj),
// its y the sample, its x the output position.
extern "C" __global__ void im2col(T* cols, const T* x, GEOM) {
	int p = blockIdx.x * blockDim.x + threadIdx.x, hw = OH * OW;
	if (p >= hw) return;
	int n = blockIdx.y, row = blockIdx.z;
	int kj = row % KW, ki = row / KW % KH, c = row / (KW * KH);
	int oi = p / OW, oj = p - oi * OW;
	int y = oi * S - P + ki, xx = oj * S - P + kj;
	cols[row * (N * hw) + n * hw + p] = (y >= 0 && y < H && xx >= 0 && xx < W) ? x[((n * C + c) * H + y) * W + xx] : (T)0;
}

// col2im: one thread per image element, adding the columns that read it;
// the grid's z is the sample, its y the channel, its x the pixel.
extern "C" __global__ void col2im(T* x, const T* cols, GEOM) {
	int i = blockIdx.x * blockDim.x + threadIdx.x;
	if (i >= H * W) return;
	int c = blockIdx.y, n = blockIdx.z;
	int y = i / W, xx = i - y * W;
	int hw = OH * OW, ncols = N * hw;
	double acc = 0;
	for (int ki = 0; ki < KH; ki++) {
		int t = y + P - ki;
		if (t < 0 || t % S != 0 || t / S >= OH) continue;
		int oi = t / S;
		for (int kj = 0; kj < KW; kj++) {
			int u = xx + P - kj;
			if (u < 0 || u % S != 0 || u / S >= OW) continue;
			int oj = u / S;
			int row = (c * KH + ki) * KW + kj;
			acc += (double)cols[row * ncols + n * hw + oi * OW + oj];
		}
	}
	x[((n * C + c) * H + y) * W + xx] = (T)acc;
}

// maxpool: each window's maximum (the first of equal maxima; a NaN wins)
// and its place in the input plane; the grid's y is the plane.
extern "C" __global__ void maxpool(T* dst, int* arg, const T* x, GEOM) {
	int o = blockIdx.x * blockDim.x + threadIdx.x;
	if (o >= OH * OW) return;
	int plane = blockIdx.y + blockIdx.z * gridDim.y;
	if (plane >= N * C) return;
	int oi = o / OW, oj = o - oi * OW;
	const T* xp = x + plane * H * W;
	int best = -1;
	T bv = 0;
	for (int ki = 0; ki < KH; ki++) for (int kj = 0; kj < KW; kj++) {
		int at = (oi * S + ki) * W + oj * S + kj;
		T v = xp[at];
		if (best < 0 || v > bv || v != v) { best = at; bv = v; }
	}
	int i = plane * OH * OW + o;
	dst[i] = bv;
	arg[i] = best;
}

// maxpool_grad: one thread per input element, adding the gradients of
// the windows whose maximum it is; the grid's y is the plane.
extern "C" __global__ void maxpool_grad(T* dx, const T* gy, const int* arg, GEOM) {
	int at = blockIdx.x * blockDim.x + threadIdx.x;
	if (at >= H * W) return;
	int plane = blockIdx.y + blockIdx.z * gridDim.y;
	if (plane >= N * C) return;
	int y = at / W, xx = at - y * W;
	int oi0 = y - KH + 1 > 0 ? (y - KH + 1 + S - 1) / S : 0, oi1 = min(y / S, OH - 1);
	int oj0 = xx - KW + 1 > 0 ? (xx - KW + 1 + S - 1) / S : 0, oj1 = min(xx / S, OW - 1);
	double acc = 0;
	for (int oi = oi0; oi <= oi1; oi++) for (int oj = oj0; oj <= oj1; oj++) {
		int o = plane * OH * OW + oi * OW + oj;
		if (arg[o] == at) acc += (double)gy[o];
	}
	dx[plane * H * W + at] = (T)acc;
}

extern "C" __global__ void avgpool(T* dst, const T* x, GEOM) {
	int total = N * C * OH * OW;
	double area = (double)(KH * KW);
	LOOP(i, total) {
		int oj = (int)(i % OW), oi = (int)(i / OW % OH);
		const T* xp = x + i / (OH * OW) * H * W;
		double acc = 0;
		for (int ki = 0; ki < KH; ki++) for (int kj = 0; kj < KW; kj++) acc += (double)xp[(oi * S + ki) * W + oj * S + kj] / area;
		dst[i] = (T)acc;
	}
}

extern "C" __global__ void avgpool_grad(T* dx, const T* gy, GEOM) {
	int total = N * C * H * W;
	double area = (double)(KH * KW);
	LOOP(i, total) {
		int xx = (int)(i % W), y = (int)(i / W % H);
		int plane = i / (H * W);
		int oi0 = y - KH + 1 > 0 ? (y - KH + 1 + S - 1) / S : 0, oi1 = min(y / S, OH - 1);
		int oj0 = xx - KW + 1 > 0 ? (xx - KW + 1 + S - 1) / S : 0, oj1 = min(xx / S, OW - 1);
		double acc = 0;
		for (int oi = oi0; oi <= oi1; oi++) for (int oj = oj0; oj <= oj1; oj++) acc += (double)gy[plane * OH * OW + oi * OW + oj] / area;
		dx[i] = (T)acc;
	}
}

// The optimizer steps, in double as the host computes them (cpu.StepRule),
// over several tensors at once, tensor k (of count) being the elements
// from st[k] to the next start (or total) of the concatenation.
#define PTR8(type, n) type n##0, type n##1, type n##2, type n##3, type n##4, type n##5, type n##6, type n##7
#define STARTS int s1, int s2, int s3, int s4, int s5, int s6, int s7

// The grid's y is the tensor k; its x walks the tensor's elements. SEL
// picks tensor k's argument with a branch the whole block takes alike:
// an array of the arguments would live in local memory, written by every
// thread.
#define SEL8(n, k) ((k) == 0 ? n##0 : (k) == 1 ? n##1 : (k) == 2 ? n##2 : (k) == 3 ? n##3 : \
	(k) == 4 ? n##4 : (k) == 5 ? n##5 : (k) == 6 ? n##6 : n##7)
#define SEL12(n, k) ((k) < 8 ? SEL8(n, k) : (k) == 8 ? n##8 : (k) == 9 ? n##9 : (k) == 10 ? n##10 : n##11)
#define TENSOR_LOOP(j, len) \
	for (int j = blockIdx.x * blockDim.x + threadIdx.x; j < (len); j += blockDim.x * gridDim.x)

#define PTR12(type, n) PTR8(type, n), type n##8, type n##9, type n##10, type n##11
#define STARTS12 STARTS, int s8, int s9, int s10, int s11

// sgd_step takes 12 tensors (three pointers each), adam_step 8 (five).
extern "C" __global__ void sgd_step(int count, int total, PTR12(T*, p), PTR12(const T*, g), PTR12(T*, b), STARTS12,
		double lr, double l2, double decay, int maximize, double momentum, double dampening, int nesterov, int first) {
	const int k = blockIdx.y, s0 = 0;
	T* P = SEL12(p, k);
	const T* G = SEL12(g, k);
	T* B = SEL12(b, k);
	const int len = (k + 1 < count ? SEL12(s, k + 1) : total) - SEL12(s, k);
	TENSOR_LOOP(j, len) {
		double th = (double)P[j], gi = (double)G[j];
		if (maximize) gi = -gi;
		if (l2 != 0) gi += l2 * th;
		if (decay != 0) gi += decay * th;
		double d = gi;
		if (momentum != 0) {
			double bv = first ? gi : momentum * (double)B[j] + (1 - dampening) * gi;
			T bt = (T)bv;
			B[j] = bt;
			d = nesterov ? gi + momentum * (double)bt : (double)bt;
		}
		P[j] = (T)(th - lr * d);
	}
}

extern "C" __global__ void adam_step(int count, int total, PTR8(T*, p), PTR8(const T*, g), PTR8(T*, m), PTR8(T*, v), PTR8(T*, x), STARTS,
		double lr, double l2, double decay, int maximize, double beta1, double beta2, double eps, double decoupled, double c1, double c2, int amsgrad) {
	const int k = blockIdx.y, s0 = 0;
	T* P = SEL8(p, k);
	const T* G = SEL8(g, k);
	T* M = SEL8(m, k);
	T* V = SEL8(v, k);
	T* X = SEL8(x, k);
	const int len = (k + 1 < count ? SEL8(s, k + 1) : total) - SEL8(s, k);
	TENSOR_LOOP(j, len) {
		double th = (double)P[j], gi = (double)G[j];
		if (maximize) gi = -gi;
		if (l2 != 0) gi += l2 * th;
		if (decay != 0) gi += decay * th;
		th *= 1 - lr * decoupled;
		T mt = (T)(beta1 * (double)M[j] + (1 - beta1) * gi);
		T vt = (T)(beta2 * (double)V[j] + (1 - beta2) * gi * gi);
		M[j] = mt;
		V[j] = vt;
		double vv = (double)vt;
		if (amsgrad) {
			T mx = (X[j] > vt || X[j] != X[j]) ? X[j] : vt; // a NaN wins, as Go's max
			X[j] = mx;
			vv = (double)mx;
		}
		P[j] = (T)(th - lr / c1 * (double)mt / (sqrt(vv) / sqrt(c2) + eps));
	}
}
`
