//! Named choices (a panel, a tab, a CSV kind, a colour map …): one enum, one list of names, and from
//! it one `FromStr`, one `Display` and the serde string form, so that the CLI, the sessions and the
//! UI spell every option the same way.

/// A name that is none of the choices.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("'{got}' is not a {what}: use one of {allowed}")]
pub struct UnknownChoice {
    pub what: &'static str,
    pub got: String,
    pub allowed: String,
}

/// `choice! { pub enum Tab("tab") { Volume = "volume", Learn = "learn" | "learning" } }`: the enum
/// with `ALL`, `name()`, `Display`, `FromStr` (trimmed, case-insensitive, aliases after `|`) and serde
/// as its name.
#[macro_export]
macro_rules! choice {
    (
        $(#[$m:meta])*
        $vis:vis enum $name:ident ($what:literal) {
            $( $(#[$vm:meta])* $var:ident = $s:literal $(| $alias:literal)* ),+ $(,)?
        }
    ) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        $vis enum $name {
            $( $(#[$vm])* $var ),+
        }

        impl $name {
            /// Every choice, in the order menus list them.
            pub const ALL: &'static [$name] = &[$($name::$var),+];

            /// The name used on the command line, in sessions and in menus.
            pub fn name(self) -> &'static str {
                match self {
                    $( $name::$var => $s ),+
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.name())
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::choice::UnknownChoice;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                let t = s.trim().to_ascii_lowercase();
                $( if t == $s $(|| t == $alias)* { return Ok($name::$var); } )+
                Err($crate::choice::UnknownChoice {
                    what: $what,
                    got: s.chars().take(40).collect(),
                    allowed: Self::ALL.iter().map(|c| c.name()).collect::<Vec<_>>().join(", "),
                })
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.name())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                s.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}
