#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Generate a large first-draft template for make bench: N resources, in
groups of five (bucket, queue, table, role with broad policies, function
that uses them), YAML with short-form tags. Deterministic.

    gen.py N > template.yaml
"""
import sys

n = int(sys.argv[1])
out = ["AWSTemplateFormatVersion: '2010-09-09'", "Description: generated", "Resources:"]
for i in range(n // 5):
    out += [
        f"  Bucket{i}:", "    Type: AWS::S3::Bucket",
        f"  Queue{i}:", "    Type: AWS::SQS::Queue", "    Properties:", "      VisibilityTimeout: 60",
        f"  Table{i}:", "    Type: AWS::DynamoDB::Table", "    Properties:",
        "      BillingMode: PAY_PER_REQUEST", "      AttributeDefinitions:",
        "        - AttributeName: id", "          AttributeType: S", "      KeySchema:",
        "        - AttributeName: id", "          KeyType: HASH",
        f"  Role{i}:", "    Type: AWS::IAM::Role", "    Properties:",
        "      AssumeRolePolicyDocument:", "        Version: '2012-10-17'", "        Statement:",
        "          - Effect: Allow", "            Principal:", "              Service: lambda.amazonaws.com",
        "            Action: sts:AssumeRole", "      ManagedPolicyArns:",
        "        - arn:aws:iam::aws:policy/AmazonS3FullAccess",
        "        - arn:aws:iam::aws:policy/AmazonDynamoDBFullAccess",
        f"  Function{i}:", "    Type: AWS::Lambda::Function", "    Properties:",
        "      Runtime: python3.12", "      Handler: index.handler",
        f"      Role: !GetAtt Role{i}.Arn", "      Code:", "        ZipFile: |",
        "          def handler(event, context):", "              return 1",
        "      Environment:", "        Variables:",
        f"          BUCKET: !Ref Bucket{i}", f"          TABLE: !Ref Table{i}",
        f"          QUEUE: !Ref Queue{i}",
    ]
print("\n".join(out))
