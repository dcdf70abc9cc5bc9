// swift-tools-version:6.0
// SPDX-License-Identifier: Apache-2.0
import PackageDescription

let package = Package(
    name: "wif",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "wif-mint", targets: ["wif-mint"]),
        .executable(name: "wif-verify", targets: ["wif-verify"]),
        .executable(name: "wif-inspect", targets: ["wif-inspect"]),
        .executable(name: "wif-serve", targets: ["wif-serve"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    ],
    targets: [
        .systemLibrary(name: "COpenSSL", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CArgon2", pkgConfig: "libargon2", providers: [.apt(["libargon2-dev"])]),
        .target(name: "Core", dependencies: ["COpenSSL", "CArgon2"], linkerSettings: [
            // Release binaries carry libcrypto inside (see Makefile, RELEASE_FLAGS): loading the shared library
            // costs each run about 0.7 ms of dynamic relocation. Debug and test builds link it dynamically.
            .linkedLibrary("crypto", .when(configuration: .debug)),
            .unsafeFlags(["-Xlinker", "--whole-archive", "-Xlinker", "-l:libcrypto.a", "-Xlinker", "--no-whole-archive"],
                         .when(configuration: .release)),
        ]),
        // The command-line machinery (parser, help, completions, main, diagnostics, stdout): no rules, no C.
        .target(name: "CLI", dependencies: ["Core"]),
        .executableTarget(name: "wif-mint", dependencies: ["Core", "CLI"]),
        .executableTarget(name: "wif-verify", dependencies: ["Core", "CLI"]),
        .executableTarget(name: "wif-inspect", dependencies: ["Core", "CLI"]),
        // The loopback HTTP front end of `wif-verify serve` (SwiftNIO): routing, limits, event log. Core never
        // imports it; it decides no verdict (Core's TokenEndpoint and ProtectedResource do).
        .target(name: "Server", dependencies: [
            "Core",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOEmbedded", package: "swift-nio"),
        ]),
        // `wif-verify serve` execs this, as `git foo` runs `git-foo`: SwiftNIO linked into wif-verify took its
        // --version from 2.88 M to 3.51 M instructions and a one-token verify from 11.79 M to 12.59 M (callgrind).
        .executableTarget(name: "wif-serve", dependencies: ["Core", "CLI", "Server"]),
        .testTarget(name: "CoreTests", dependencies: ["Core"], resources: []),
        .testTarget(name: "CLITests", dependencies: ["CLI", "Core"]),
        .testTarget(name: "ServerTests", dependencies: ["Core", "Server"]),
    ],
    swiftLanguageModes: [.v6]
)
