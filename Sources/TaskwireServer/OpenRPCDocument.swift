/// The bytes of `schema/openrpc.json`, embedded at build time; `rpc.discover` serves them.
package enum OpenRPCDocument {
    package static var bytes: [UInt8] { PackageResources.openrpc_json }
}
