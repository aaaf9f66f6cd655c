// The paper's PCA colour augmentation (Krizhevsky et al. 2012, section 4.1): the eigenvectors p_i
// and eigenvalues lambda_i of the 3x3 covariance of RGB pixel values over the training set; each
// training image gets, on every pixel, sum_i alpha_i * lambda_i * p_i with alpha_i ~ N(0, 0.1)
// drawn once per image per epoch. Pixel values are taken in [0, 1] (as fb.resnet.torch does), since
// the formula is not scale-invariant: in [0, 255] units lambda would be 65025x larger.

export interface ColourPca {
  /** eigenvalues, descending */
  eigenvalues: [number, number, number];
  /** eigenvectors as rows: eigenvectors[i] is p_i (unit length, RGB) */
  eigenvectors: [[number, number, number], [number, number, number], [number, number, number]];
  /** pixels the covariance was computed from */
  pixels: number;
}

/** Running sums for the RGB covariance; feed it images (uint8 RGB), read it with covariance(). */
export class RgbCovariance {
  private n = 0;
  private s = [0, 0, 0];
  private ss = [0, 0, 0, 0, 0, 0]; // rr rg rb gg gb bb

  /** Adds every `stride`-th pixel of an RGB uint8 buffer. */
  add(rgb: Uint8Array, stride = 1): void {
    const s = this.s;
    const ss = this.ss;
    for (let p = 0; p < rgb.length; p += 3 * stride) {
      const r = rgb[p] / 255;
      const g = rgb[p + 1] / 255;
      const b = rgb[p + 2] / 255;
      s[0] += r; s[1] += g; s[2] += b;
      ss[0] += r * r; ss[1] += r * g; ss[2] += r * b;
      ss[3] += g * g; ss[4] += g * b; ss[5] += b * b;
      this.n++;
    }
  }

  get count(): number {
    return this.n;
  }

  covariance(): number[][] {
    const n = Math.max(this.n, 1);
    const m = this.s.map((v) => v / n);
    const [rr, rg, rb, gg, gb, bb] = this.ss.map((v) => v / n);
    return [
      [rr - m[0] * m[0], rg - m[0] * m[1], rb - m[0] * m[2]],
      [rg - m[0] * m[1], gg - m[1] * m[1], gb - m[1] * m[2]],
      [rb - m[0] * m[2], gb - m[1] * m[2], bb - m[2] * m[2]],
    ];
  }
}

/** Eigen decomposition of a symmetric 3x3 matrix by cyclic Jacobi rotations. */
export function symmetricEigen3(a: number[][]): { values: [number, number, number]; vectors: ColourPca['eigenvectors'] } {
  const m = a.map((r) => [...r]);
  const v = [[1, 0, 0], [0, 1, 0], [0, 0, 1]];
  for (let sweep = 0; sweep < 50; sweep++) {
    const off = m[0][1] ** 2 + m[0][2] ** 2 + m[1][2] ** 2;
    if (off < 1e-30) break;
    for (const [p, q] of [[0, 1], [0, 2], [1, 2]]) {
      if (Math.abs(m[p][q]) < 1e-300) continue;
      const theta = (m[q][q] - m[p][p]) / (2 * m[p][q]);
      const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
      const c = 1 / Math.sqrt(t * t + 1);
      const s = t * c;
      for (let k = 0; k < 3; k++) {
        // columns p, q of m
        const mkp = m[k][p];
        const mkq = m[k][q];
        m[k][p] = c * mkp - s * mkq;
        m[k][q] = s * mkp + c * mkq;
      }
      for (let k = 0; k < 3; k++) {
        const mpk = m[p][k];
        const mqk = m[q][k];
        m[p][k] = c * mpk - s * mqk;
        m[q][k] = s * mpk + c * mqk;
      }
      for (let k = 0; k < 3; k++) {
        const vkp = v[k][p];
        const vkq = v[k][q];
        v[k][p] = c * vkp - s * vkq;
        v[k][q] = s * vkp + c * vkq;
      }
    }
  }
  const order = [0, 1, 2].sort((i, j) => m[j][j] - m[i][i]);
  const values = order.map((i) => m[i][i]) as [number, number, number];
  // columns of v are eigenvectors; return them as rows, with a fixed sign (largest component positive)
  const vectors = order.map((i) => {
    const col = [v[0][i], v[1][i], v[2][i]];
    const big = col.reduce((b, x) => (Math.abs(x) > Math.abs(b) ? x : b), 0);
    return col.map((x) => (big < 0 ? -x : x));
  }) as ColourPca['eigenvectors'];
  return { values, vectors };
}

export function colourPca(cov: RgbCovariance): ColourPca {
  const { values, vectors } = symmetricEigen3(cov.covariance());
  return { eigenvalues: values.map((x) => Math.max(x, 0)) as [number, number, number], eigenvectors: vectors, pixels: cov.count };
}

/** The RGB shift (in [0, 1] pixel units) for one image: sum_i alpha_i * lambda_i * p_i. */
export function pcaShift(pca: ColourPca, alphas: [number, number, number]): [number, number, number] {
  const out: [number, number, number] = [0, 0, 0];
  for (let i = 0; i < 3; i++) {
    const w = alphas[i] * pca.eigenvalues[i];
    for (let c = 0; c < 3; c++) out[c] += w * pca.eigenvectors[i][c];
  }
  return out;
}

/** alpha_i ~ N(0, 0.1) as in the paper */
export const PCA_ALPHA_STD = 0.1;
