/**
 * The yardstick for the per-request cost of the server's stack: NestJS + Apollo with one resolver,
 * built from the project's own packages, started by the bench in the same run. It prints
 * "listening on <url>" like the server.
 */
import 'reflect-metadata';
import { ApolloDriver, ApolloDriverConfig } from '@nestjs/apollo';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { GraphQLModule, Query, Resolver } from '@nestjs/graphql';

@Resolver()
class HelloResolver {
  @Query(() => String)
  hello(): string {
    return 'world';
  }
}

@Module({
  imports: [
    GraphQLModule.forRoot<ApolloDriverConfig>({ driver: ApolloDriver, autoSchemaFile: true }),
  ],
  providers: [HelloResolver],
})
class BareModule {}

async function main(): Promise<void> {
  const app = await NestFactory.create(BareModule, { logger: ['error'] });
  await app.listen(Number(process.argv[2] ?? 0), '127.0.0.1');
  console.log(`listening on ${await app.getUrl()}`);
}

void main();
