// Package artefacts is the home of the tests that check the deploy, CI and
// monitoring files bkgen generates with the tools their users rely on: one
// package per concern (docker, kube, ci, ops, serverless), each generating
// petstore-expanded through artefactstest. It is a module of its own so that
// the validators' dependencies (Helm, Kubernetes, BuildKit) stay out of
// bkgen's go.mod.
package artefacts
