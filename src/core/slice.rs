//! A 2-D slice of a d-parameter model (issue 15 part 7): K(x, y) = L(w₀ + x·u + y·v) through a
//! point w₀ of the Toy Model of Superposition, along two parameters or two eigenvectors of the
//! population Hessian at w₀. The window's landscape, posterior and volume panels then work on it
//! as on any 2-D landscape — clearly labelled as a slice: its volume law is the slice's, not the
//! model's (a restriction to a plane through w₀ sees only two of the 18 directions, so its λ̂ says
//! how the loss grows along those two, not the model's learning coefficient).
//!
//! The spec is what the user chose (plain data, serialisable in a session); the directions are
//! computed from it on the worker (`Slice::new`), deterministically.

use serde::{Deserialize, Serialize};

use super::dmodel::{self, Model};
use super::tms::{self, Tms};

/// Which plane through the point.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Directions {
    /// Two parameters (0-based indices into the model's parameter list).
    Params([usize; 2]),
    /// Two eigenvectors of the population Hessian at the point, by ascending eigenvalue (0-based):
    /// [0, 1] are the two most negative or flattest directions.
    Eigen([usize; 2]),
}

/// A slice the user asked for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SliceSpec {
    /// The TMS's data: n points from this seed (the window's n slider), or the population loss.
    pub n: usize,
    pub data_seed: u64,
    pub population: bool,
    /// The point w₀ the plane passes through (18 numbers).
    pub point: Vec<f64>,
    /// What w₀ is, for titles: "SGD step 50000 (5+)", "the 6-gon", "a posterior sample at n = 300".
    pub through: String,
    pub directions: Directions,
}

impl SliceSpec {
    /// Cheap checks for the UI thread.
    pub fn validate(&self) -> Result<(), String> {
        if self.point.len() != tms::D || self.point.iter().any(|v| !v.is_finite()) {
            return Err(format!("a TMS slice needs a point of {} finite numbers", tms::D));
        }
        if !self.population && !(10..=tms::TMS_N_MAX).contains(&self.n) {
            return Err(format!("the TMS's data size must be 10 … {}, got {}", tms::TMS_N_MAX, self.n));
        }
        let [i, j] = match self.directions {
            Directions::Params(p) | Directions::Eigen(p) => p,
        };
        if i == j || i >= tms::D || j >= tms::D {
            return Err(format!("a slice needs two different directions among 1 … {}", tms::D));
        }
        Ok(())
    }

    /// "W1x and b3", "Hessian eigenvectors 1 and 2" (1-based for people).
    pub fn directions_label(&self) -> String {
        match self.directions {
            Directions::Params([i, j]) => {
                let names = Tms::population_only().names();
                format!("{} and {}", names[i], names[j])
            }
            Directions::Eigen([i, j]) => format!("Hessian eigenvectors {} and {}", i + 1, j + 1),
        }
    }

    pub fn label(&self) -> String {
        let what = if self.population { "population loss".to_string() } else { format!("L_n (n = {})", self.n) };
        format!("slice of the TMS's {what} through {} along {}", self.through, self.directions_label())
    }
}

/// The slice ready to evaluate.
#[derive(Debug)]
pub struct Slice {
    pub spec: SliceSpec,
    model: Tms,
    /// Unit directions in R^18.
    pub u: Vec<f64>,
    pub v: Vec<f64>,
    /// The population Hessian's eigenvalues along u and v (Eigen), or its diagonal entries.
    pub curvatures: [f64; 2],
}

impl Slice {
    pub fn new(spec: &SliceSpec) -> Result<Slice, String> {
        spec.validate()?;
        let model = if spec.population { Tms::population_only() } else { Tms::new(spec.n, spec.data_seed)? };
        let pop = Tms::population_only();
        let h = dmodel::hessian(&pop, &spec.point, 1e-5);
        let (u, v, curvatures) = match spec.directions {
            Directions::Params([i, j]) => {
                let e = |k: usize| (0..tms::D).map(|m| if m == k { 1.0 } else { 0.0 }).collect::<Vec<f64>>();
                (e(i), e(j), [h[(i, i)], h[(j, j)]])
            }
            Directions::Eigen([i, j]) => {
                let eig = nalgebra::SymmetricEigen::new(h);
                let mut order: Vec<usize> = (0..tms::D).collect();
                order.sort_by(|&a, &b| {
                    eig.eigenvalues[a].partial_cmp(&eig.eigenvalues[b]).unwrap_or(std::cmp::Ordering::Equal)
                });
                let col = |k: usize| {
                    let c = eig.eigenvectors.column(order[k]);
                    // a sign convention, so that the same point gives the same picture
                    let s = if c.iter().fold(0.0f64, |m, x| if x.abs() > m.abs() { *x } else { m }) < 0.0 {
                        -1.0
                    } else {
                        1.0
                    };
                    c.iter().map(|x| s * x).collect::<Vec<f64>>()
                };
                (col(i), col(j), [eig.eigenvalues[order[i]], eig.eigenvalues[order[j]]])
            }
        };
        Ok(Slice { spec: spec.clone(), model, u, v, curvatures })
    }

    /// The point at slice coordinates (x, y).
    pub fn point(&self, x: f64, y: f64) -> Vec<f64> {
        (0..tms::D).map(|k| self.spec.point[k] + x * self.u[k] + y * self.v[k]).collect()
    }

    /// L(w₀ + x·u + y·v); +∞ outside the model's box (the prior is zero there).
    pub fn loss(&self, x: f64, y: f64) -> f64 {
        let w = self.point(x, y);
        if w.iter().any(|c| c.abs() > tms::BOX) {
            return f64::INFINITY;
        }
        self.model.loss(&w)
    }

    /// One line for readouts and exports, with the curvatures along the two directions.
    pub fn describe(&self) -> String {
        format!(
            "{} (curvatures of the population loss along them: {:.3e}, {:.3e})",
            self.spec.label(),
            self.curvatures[0],
            self.curvatures[1]
        )
    }
}
