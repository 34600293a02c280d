#!/usr/bin/env bash
# Kubernetes in Action, chapter 10, against a running `petset up` (KUBECONFIG set).
set -euxo pipefail
C=${C:-$(dirname "$0")/../../shared/examples/kubernetes-in-action/Chapter10}
kubectl create -f "$C/persistent-volumes-hostpath.yaml"
kubectl create -f "$C/kubia-service-headless.yaml"
kubectl create -f "$C/kubia-statefulset.yaml"
kubectl wait --for=condition=Ready pod/kubia-0 pod/kubia-1 --timeout=60s 2>/dev/null || sleep 2
kubectl get po,pvc
kubectl proxy --port=8001 & PROXY=$!
trap 'kill $PROXY' EXIT
sleep 1
curl -s localhost:8001/api/v1/namespaces/default/pods/kubia-0/proxy/
curl -s -X POST -d "Hey there! This greeting was submitted to kubia-0." \
  localhost:8001/api/v1/namespaces/default/pods/kubia-0/proxy/
kubectl delete po kubia-0
kubectl wait --for=condition=Ready pod/kubia-0 --timeout=60s
curl -s localhost:8001/api/v1/namespaces/default/pods/kubia-0/proxy/
kubectl scale sts kubia --replicas=3
kubectl create -f "$C/kubia-service-public.yaml"
kubectl apply -f "$C/kubia-statefulset-peers.yaml"
kubectl rollout status sts kubia --timeout=120s || true
curl -s localhost:8001/api/v1/namespaces/default/services/kubia-public/proxy/
