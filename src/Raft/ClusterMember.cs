namespace HsmRaft;

/// <summary>A node of the cluster and the address its transport reaches it at.</summary>
/// <param name="Id">The node's id.</param>
/// <param name="Address">Transport-specific address, for example <c>http://127.0.0.1:5001</c> for gRPC.</param>
public readonly record struct ClusterMember(NodeId Id, string Address);
